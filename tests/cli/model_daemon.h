#pragma once

// Test support: a small daemon for vsadm to talk to, before the real one exists: the real
// control socket (api::Server on its own event loop thread) in front of a real core::Model with
// the real scheduler catalog. It answers the api::op operations the way the vsd daemon's
// handlers are specified to (errors carry the kernel's errno), keeping only what the model does
// not hold (timeouts, sync daemons, tunnel settings) beside it.
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "api/schema.h"
#include "api/server.h"
#include "common/event_loop.h"
#include "core/model.h"
#include "sched/catalog.h"

namespace vsd::testing {

class ModelDaemon {
 public:
  ModelDaemon() {
    dir_ = std::filesystem::temp_directory_path() /
           ("vsadm-test-" + std::to_string(getpid()) + "-" +
            std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "vsd.sock").string();
    auto server =
        api::Server::listen(loop_, path_, [this](const api::Request& r) { return handle(r); });
    if (!server.ok()) throw std::runtime_error(server.error().message);
    server_ = std::move(*server);
    thread_ = std::thread([this] { (void)loop_.run(); });
  }
  ~ModelDaemon() {
    loop_.stop();
    thread_.join();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  ModelDaemon(const ModelDaemon&) = delete;
  ModelDaemon& operator=(const ModelDaemon&) = delete;

  const std::string& path() const { return path_; }

  // A copy of the model's services, read under the handler's lock.
  std::vector<core::ServiceConfig> services() {
    std::lock_guard lock(mutex_);
    std::vector<core::ServiceConfig> out;
    for (const auto* s : model_.services_in_order()) out.push_back(s->config);
    return out;
  }
  std::vector<core::DestinationConfig> destinations(const core::ServiceKey& key) {
    std::lock_guard lock(mutex_);
    std::vector<core::DestinationConfig> out;
    if (const auto* s = model_.find(key))
      for (const auto& d : s->destinations) out.push_back(d.config);
    return out;
  }
  // Connections to report for -L -c.
  void set_connections(api::Json connections) {
    std::lock_guard lock(mutex_);
    connections_ = std::move(connections);
  }

 private:
  static api::Response fail(const api::Request& r, int code, std::string message) {
    return api::Response::failure(r.id, Error{std::move(message), code});
  }

  api::Response apply(const api::Request& r, const core::Change& change) {
    Status s = model_.apply(change);
    if (!s.ok()) return api::Response::failure(r.id, s.error());
    return api::Response::success(r.id, api::Json::object());
  }

  static std::string tunnel_key(const core::ServiceKey& s, const Endpoint& d) {
    return core::to_string(s) + " " + to_string(d);
  }

  api::Json service_json(const core::ServiceEntry& s) {
    api::ServiceStatus status;
    status.config = s.config;
    for (const auto& d : s.destinations) {
      api::DestinationStatus ds;
      ds.config = d.config;
      ds.active_connections = d.server->active_connections();
      ds.inactive_connections = d.server->inactive_connections();
      status.destinations.push_back(ds);
    }
    api::Json j = api::to_json(status);
    for (size_t i = 0; i < s.destinations.size(); ++i) {
      auto t = tunnels_.find(tunnel_key(s.config.key, s.destinations[i].config.endpoint()));
      if (t != tunnels_.end()) j["destinations"][i]["tunnel"] = t->second;
    }
    return j;
  }

  api::Response handle(const api::Request& r) {
    std::lock_guard lock(mutex_);
    namespace op = api::op;
    const api::Json& a = r.args;
    if (r.op == op::add_service || r.op == op::edit_service) {
      auto c = api::service_config_from_json(a);
      if (!c.ok()) return api::Response::failure(r.id, c.error());
      if (r.op == op::add_service) return apply(r, core::AddService{*c});
      return apply(r, core::EditService{*c});
    }
    if (r.op == op::clear) {
      tunnels_.clear();
      return apply(r, core::ClearServices{});
    }
    if (r.op == op::list || r.op == op::zero || r.op == op::delete_service ||
        r.op == op::add_server || r.op == op::edit_server || r.op == op::delete_server) {
      std::optional<core::ServiceKey> key;
      if (a.contains("service")) {
        auto k = api::service_key_from_json(a["service"]);
        if (!k.ok()) return api::Response::failure(r.id, k.error());
        key = *k;
      }
      if (r.op == op::list) {
        api::Json services = api::Json::array();
        if (key) {
          const auto* s = model_.find(*key);
          if (!s) return fail(r, ESRCH, "no such service");
          services.push_back(service_json(*s));
        } else {
          for (const auto* s : model_.services_in_order()) services.push_back(service_json(*s));
        }
        return api::Response::success(r.id, {{"services", services}, {"table_size", 4096}});
      }
      if (r.op == op::zero) {
        if (key && !model_.find(*key)) return fail(r, ESRCH, "no such service");
        return api::Response::success(r.id, api::Json::object());
      }
      if (!key) return fail(r, EINVAL, "service missing");
      if (r.op == op::delete_service) return apply(r, core::DeleteService{*key});
      if (!a.contains("destination")) return fail(r, EINVAL, "destination missing");
      auto d = api::destination_config_from_json(a["destination"]);
      if (!d.ok()) return api::Response::failure(r.id, d.error());
      if (r.op == op::delete_server) return apply(r, core::DeleteDestination{*key, d->endpoint()});
      api::Response response = r.op == op::add_server ? apply(r, core::AddDestination{*key, *d})
                                                      : apply(r, core::EditDestination{*key, *d});
      if (response.ok() && a["destination"].contains("tunnel"))
        tunnels_[tunnel_key(*key, d->endpoint())] = a["destination"]["tunnel"];
      return response;
    }
    if (r.op == op::get_timeouts) return api::Response::success(r.id, api::to_json(timeouts_));
    if (r.op == op::set_timeouts) {
      auto t = api::timeouts_from_json(a);
      if (t->tcp) timeouts_.tcp = t->tcp;
      if (t->tcp_fin) timeouts_.tcp_fin = t->tcp_fin;
      if (t->udp) timeouts_.udp = t->udp;
      return api::Response::success(r.id, api::Json::object());
    }
    if (r.op == op::start_daemon || r.op == op::stop_daemon) {
      const std::string state = a.value("state", std::string());
      if (state != "master" && state != "backup") return fail(r, EINVAL, "bad state");
      const bool running = !daemons_[state].is_null();
      if (r.op == op::start_daemon) {
        if (running) return fail(r, EEXIST, "already running");
        daemons_[state] = a;
        daemons_[state].erase("state");
      } else {
        if (!running) return fail(r, ESRCH, "not running");
        daemons_[state] = nullptr;
      }
      return api::Response::success(r.id, api::Json::object());
    }
    if (r.op == op::get_daemons) return api::Response::success(r.id, daemons_);
    if (r.op == op::list_connections)
      return api::Response::success(r.id, {{"connections", connections_}});
    return fail(r, EINVAL, "unknown operation " + r.op);
  }

  std::filesystem::path dir_;
  std::string path_;
  EventLoop loop_;
  std::unique_ptr<api::Server> server_;
  std::thread thread_;
  std::mutex mutex_;
  core::Model model_{sched::catalog()};
  api::TimeoutSettings timeouts_;
  api::Json daemons_ = {{"master", nullptr}, {"backup", nullptr}};
  api::Json connections_ = api::Json::array();
  std::map<std::string, api::Json> tunnels_;
};

}  // namespace vsd::testing

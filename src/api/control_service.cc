#include "api/control_service.h"

#include <cerrno>

namespace vsd::api {

ServiceStatus status_of(const core::ServiceEntry& entry) {
  ServiceStatus s;
  s.config = entry.config;
  s.stats = entry.runtime->stats.totals();
  s.rates = entry.runtime->estimator.rates();
  for (const auto& d : entry.destinations) {
    DestinationStatus ds;
    ds.config = d.config;
    ds.active_connections = d.server->active_connections();
    ds.inactive_connections = d.server->inactive_connections();
    ds.persistent_connections = d.server->persistent_connections();
    ds.stats = d.server->stats().totals();
    ds.rates = d.server->estimator.rates();
    s.destinations.push_back(std::move(ds));
  }
  return s;
}

ControlService::ControlService(core::Model& model, ControlHooks hooks,
                               unsigned connection_table_size)
    : model_(model), hooks_(std::move(hooks)), connection_table_size_(connection_table_size) {}

Response ControlService::handle(const Request& request) {
  auto result = dispatch(request);
  if (!result.ok()) return Response::failure(request.id, result.error());
  return Response::success(request.id, std::move(*result));
}

Result<Json> ControlService::apply(const core::Change& change) {
  if (Status s = model_.apply(change); !s.ok()) return s.error();
  if (hooks_.model_changed) hooks_.model_changed();
  return Json::object();
}

namespace {

Result<core::ServiceKey> service_arg(const Json& args) {
  if (!args.contains("service")) return Error{"bad field 'service': missing", EINVAL};
  return service_key_from_json(args["service"]);
}

Result<Endpoint> endpoint_arg(const Json& j) {
  if (!j.is_object() || !j.contains("address") || !j["address"].is_string() ||
      !j.contains("port") || !j["port"].is_number_integer())
    return Error{"bad field 'destination': needs address and port", EINVAL};
  auto a = IpAddress::parse(j["address"].get<std::string>());
  const auto port = j["port"].get<int64_t>();
  if (!a || port < 0 || port > 65535)
    return Error{"bad field 'destination': not an address and port", EINVAL};
  return Endpoint{*a, static_cast<uint16_t>(port)};
}

Error unsupported(const std::string& what) {
  return Error{what + " is not available in this daemon", EOPNOTSUPP};
}

}  // namespace

Result<Json> ControlService::list(const Json& args) const {
  Json services = Json::array();
  if (args.contains("service")) {
    auto key = service_key_from_json(args["service"]);
    if (!key.ok()) return key.error();
    const core::ServiceEntry* e = model_.find(*key);
    if (!e) return Error{to_string(*key) + ": no such service", ESRCH};
    services.push_back(to_json(status_of(*e)));
  } else {
    for (const core::ServiceEntry* e : model_.services_in_order())
      services.push_back(to_json(status_of(*e)));
  }
  return Json{{"services", std::move(services)}, {"table_size", connection_table_size_}};
}

Result<Json> ControlService::dispatch(const Request& r) {
  const Json& a = r.args;
  if (r.op == op::add_service || r.op == op::edit_service) {
    auto config = service_config_from_json(a);
    if (!config.ok()) return config.error();
    if (r.op == op::add_service) return apply(core::AddService{*config});
    return apply(core::EditService{*config});
  }
  if (r.op == op::delete_service) {
    auto key = service_arg(a);
    if (!key.ok()) return key.error();
    return apply(core::DeleteService{*key});
  }
  if (r.op == op::clear) return apply(core::ClearServices{});
  if (r.op == op::add_server || r.op == op::edit_server) {
    auto key = service_arg(a);
    if (!key.ok()) return key.error();
    auto dest = destination_config_from_json(a.value("destination", Json::object()));
    if (!dest.ok()) return dest.error();
    if (r.op == op::add_server) return apply(core::AddDestination{*key, *dest});
    return apply(core::EditDestination{*key, *dest});
  }
  if (r.op == op::delete_server) {
    auto key = service_arg(a);
    if (!key.ok()) return key.error();
    auto dest = endpoint_arg(a.value("destination", Json::object()));
    if (!dest.ok()) return dest.error();
    return apply(core::DeleteDestination{*key, *dest});
  }
  if (r.op == op::zero) {
    if (a.contains("service")) {
      auto key = service_arg(a);
      if (!key.ok()) return key.error();
      const core::ServiceEntry* e = model_.find(*key);
      if (!e) return Error{to_string(*key) + ": no such service", ESRCH};
      core::zero_counters(*e);
    } else {
      for (const auto& [key, e] : model_.services()) core::zero_counters(*e);
    }
    return Json::object();
  }
  if (r.op == op::list) return list(a);
  if (r.op == op::list_connections) {
    Json rows = Json::array();
    if (hooks_.list_connections)
      for (const auto& c : hooks_.list_connections()) rows.push_back(to_json(c));
    return Json{{"connections", std::move(rows)}};
  }
  if (r.op == op::get_timeouts) {
    return to_json(hooks_.get_timeouts ? hooks_.get_timeouts() : TimeoutSettings{});
  }
  if (r.op == op::set_timeouts) {
    auto t = timeouts_from_json(a);
    if (!t.ok()) return t.error();
    if (!hooks_.set_timeouts) return unsupported("--set");
    if (Status s = hooks_.set_timeouts(*t); !s.ok()) return s.error();
    return Json::object();
  }
  if (r.op == op::start_daemon) {
    if (!hooks_.start_sync_daemon) return unsupported("the connection sync daemon");
    if (Status s = hooks_.start_sync_daemon(a); !s.ok()) return s.error();
    return Json::object();
  }
  if (r.op == op::stop_daemon) {
    if (!hooks_.stop_sync_daemon) return unsupported("the connection sync daemon");
    if (Status s = hooks_.stop_sync_daemon(a.value("state", std::string())); !s.ok())
      return s.error();
    return Json::object();
  }
  if (r.op == op::get_daemons) {
    return hooks_.get_sync_daemons ? hooks_.get_sync_daemons()
                                   : Json{{"master", nullptr}, {"backup", nullptr}};
  }
  if (r.op == op::info) {
    return Json{{"version", "1.2.1"},
                {"table_size", connection_table_size_},
                {"services", model_.size()},
                {"generation", model_.generation()}};
  }
  return Error{"unknown operation '" + r.op + "'", EINVAL};
}

}  // namespace vsd::api

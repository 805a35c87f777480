// vsd: the composition root. Builds the objects, wires them and runs the control loop; the logic
// lives in the modules.
#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "api/control_service.h"
#include "api/server.h"
#include "common/event_loop.h"
#include "common/log.h"
#include "config/reload.h"
#include "conn/timeouts.h"
#include "core/snapshot.h"
#include "daemon/config_loader.h"
#include "daemon/dataplane_runtime.h"
#include "daemon/dataplane_settings.h"
#include "daemon/offline_replay.h"
#include "daemon/options.h"
#include "health/checker_settings.h"
#include "health/loop_io.h"
#include "health/manager.h"
#include "health/smtp_alert.h"
#include "sched/catalog.h"

namespace vsd::daemon {
namespace {

constexpr const char* kVersion = "vsd 0.1.0 (IPVS 1.2.1 behaviour)";

int config_test(const std::optional<std::string>& path, const config::LexOptions& lex) {
  if (!path) {
    std::cerr << "vsd: no configuration file (give -f FILE, or create /etc/vsd/vsd.conf)\n";
    return 1;
  }
  config::Diagnostics d;
  auto loaded = load_configuration(*path, lex, sched::catalog(), d);
  if (loaded) {
    // What the daemon reads after the model: the checkers and the mail settings.
    health::check_every_checker(loaded->configuration, d);
    [[maybe_unused]] auto mail =
        health::mail_settings(loaded->configuration.global, health::local_host_name(), d);
  }
  for (const auto& w : d.warnings()) std::cerr << w << " (warning)\n";
  for (const auto& e : d.errors()) std::cerr << e << "\n";
  if (!loaded || !d.errors().empty()) return 1;
  std::cerr << *path << ": configuration OK (" << loaded->model->size() << " virtual services)\n";
  return 0;
}

void apply_timeouts(const config::Configuration& c, conn::Timeouts& timeouts) {
  const auto& t = c.global.lvs_timeouts;
  timeouts.set(t.tcp.value_or(0), t.tcpfin.value_or(0), t.udp.value_or(0));
}

bool daemonize() {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid > 0) std::_Exit(0);
  setsid();
  const int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (null > 2) close(null);
  }
  return true;
}

class Daemon {
 public:
  Daemon(const Options& options, std::optional<std::string> config_path, Logger& log)
      : options_(options), config_path_(std::move(config_path)), log_(log) {}

  int run() {
    if (config_path_) {
      if (!reload("start")) return 1;
    } else {
      log_.warning("no configuration file found; starting with no virtual services");
      publish();
    }
    const std::string socket = api::socket_path(options_.socket);
    mkdir("/run/vsd", 0700);  // the default socket's directory; harmless when unused
    auto server = api::Server::listen(loop_, socket,
                                      [this](const api::Request& r) { return control_.handle(r); });
    if (!server.ok()) {
      log_.error("cannot open the control socket: " + server.error().message);
      return 1;
    }
    if (options_.pid_file) std::ofstream(*options_.pid_file) << getpid() << "\n";
    if (!watch_signals()) return 1;
    loop_.add_timer(
        seconds(core::RateEstimator::kIntervalSeconds), [this] { core::sample_rates(model_); },
        seconds(core::RateEstimator::kIntervalSeconds));
    log_.info(std::string(kVersion) + " started; control socket " + socket);
    Status s = loop_.run();
    if (dataplane_) log_.info("data plane: " + dataplane::summary(dataplane_->counters()));
    dataplane_.reset();
    health_.shutdown();
    drain_alerts();
    server->reset();
    if (options_.pid_file) unlink(options_.pid_file->c_str());
    log_.info("stopped");
    return s.ok() ? 0 : 1;
  }

 private:
  bool watch_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, sig);
    signal_fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (signal_fd_ < 0) return false;
    return loop_
        .add(signal_fd_, 1 /* EPOLLIN */,
             [this](uint32_t) {
               signalfd_siginfo info{};
               while (read(signal_fd_, &info, sizeof(info)) == sizeof(info)) {
                 if (info.ssi_signo == SIGHUP) {
                   reload("SIGHUP");
                 } else {
                   log_.info("signal " + std::to_string(info.ssi_signo) + ": stopping");
                   loop_.stop();
                 }
               }
             })
        .ok();
  }

  // keepalived's "=> Shutting down <=" mails (omega) get their SMTP dialogues finished, for at
  // most 30 s (smtp_connect_timeout's default), before the process exits.
  void drain_alerts() {
    if (alerter_.in_flight() == 0) return;
    int ticks = 0;
    const auto poll = loop_.add_timer(
        milliseconds(50),
        [this, &ticks] {
          if (alerter_.in_flight() == 0 || ++ticks >= 600) loop_.stop();
        },
        milliseconds(50));
    [[maybe_unused]] Status s = loop_.run();
    loop_.cancel_timer(poll);
  }

  // Reads the file into a model of its own; on success applies only the difference. A file with
  // errors is rejected whole and the running configuration stays.
  bool reload(const std::string& why) {
    config::Diagnostics d;
    auto loaded = load_configuration(
        *config_path_, config::LexOptions{options_.config_id.value_or("")}, sched::catalog(), d);
    for (const auto& w : d.warnings()) log_.warning(w);
    for (const auto& e : d.errors()) log_.error(e);
    if (!loaded) {
      log_.error(why + ": " + *config_path_ + " rejected; the running configuration stays");
      return false;
    }
    // Health decides which real servers the running model really holds (failed ones out).
    config::Diagnostics checker_diagnostics;
    alerter_.configure(health::mail_settings(loaded->configuration.global,
                                             health::local_host_name(), checker_diagnostics));
    const auto health_view = health_.configure(loaded->configuration, checker_diagnostics);
    for (const auto& w : checker_diagnostics.warnings()) log_.warning(w);
    for (const auto& e : checker_diagnostics.errors()) log_.error(e + " (checker ignored)");
    for (const auto& c : health_view) [[maybe_unused]] Status s = loaded->model->apply(c);
    const auto changes = config::diff(model_, *loaded->model);
    if (Status s = model_.apply(changes); !s.ok()) {
      log_.error(why + ": " + s.error().message + "; the running configuration stays");
      return false;
    }
    apply_timeouts(loaded->configuration, timeouts_);
    if (dataplane_) apply_timeouts(loaded->configuration, dataplane_->table().timeouts());
    publish();
    if (!start_dataplane(loaded->configuration)) return false;
    log_.info(why + ": " + *config_path_ + " loaded, " + std::to_string(changes.size()) +
              " change(s), " + std::to_string(model_.size()) + " virtual service(s)");
    return true;
  }

  void publish() {
    publisher_.publish(core::Snapshot::build(model_, publisher_.current().get(), sched::catalog()));
    if (dataplane_)
      if (Status s = dataplane_->snapshot_changed(*publisher_.current()); !s)
        log_.warning("data plane: " + s.error().message);
  }

  // The first configuration with a dataplane block starts the data plane; a later change of the
  // block needs a restart (the workers own their sockets), which the log says.
  bool start_dataplane(const config::Configuration& c) {
    if (dataplane_) {
      if (!c.dataplane || !same_dataplane(*running_dataplane_, *c.dataplane))
        log_.warning(
            "data plane: the dataplane block changed; the running data plane keeps its "
            "settings until vsd restarts");
      return true;
    }
    if (!c.dataplane) return true;
    auto started = start_live_dataplane(*c.dataplane, publisher_, timeouts_);
    if (!started) {
      log_.error("data plane: " + started.error().message);
      return false;
    }
    dataplane_ = std::move(*started);
    running_dataplane_ = *c.dataplane;
    log_.info("data plane: " + std::to_string(dataplane_->settings().workers) + " worker(s) on " +
              std::to_string(dataplane_->settings().interfaces.size()) + " interface(s)");
    return true;
  }

  api::ControlHooks hooks() {
    api::ControlHooks h;
    h.model_changed = [this] { publish(); };
    h.list_connections = [this] {
      std::vector<api::ConnectionStatus> out;
      if (!dataplane_) return out;  // control plane only: no connections
      for (const conn::ConnectionInfo& c : dataplane_->table().list(SteadyClock().now())) {
        api::ConnectionStatus s;
        s.protocol = c.protocol == "TCP" ? 6 : c.protocol == "UDP" ? 17 : 0;
        s.expires_s = static_cast<uint32_t>(
            std::chrono::duration_cast<std::chrono::seconds>(c.expires_in).count());
        s.state = std::string(c.state);
        s.client = c.client;
        s.virtual_service = c.virtual_endpoint;
        s.destination = c.destination;
        out.push_back(std::move(s));
      }
      return out;
    };
    h.get_timeouts = [this] {
      const auto t = timeouts_.summary();
      return api::TimeoutSettings{t.tcp_s, t.tcpfin_s, t.udp_s};
    };
    h.set_timeouts = [this](const api::TimeoutSettings& t) {
      timeouts_.set(t.tcp, t.tcp_fin, t.udp);
      if (dataplane_) dataplane_->table().timeouts().set(t.tcp, t.tcp_fin, t.udp);
      return ok_status();
    };
    return h;
  }

  // A checker result: apply each membership change (one the user already made by hand is
  // logged and skipped) and publish.
  health::ManagerHooks health_hooks() {
    health::ManagerHooks h;
    h.apply = [this](const std::vector<core::Change>& changes) {
      for (const auto& c : changes)
        if (Status s = model_.apply(c); !s.ok()) log_.warning("health: " + s.error().message);
      publish();
    };
    h.alert = [this](const std::string& subject, const std::string& body) {
      alerter_.send(subject, body);
    };
    return h;
  }

  const Options& options_;
  std::optional<std::string> config_path_;
  Logger& log_;
  EventLoop loop_;
  core::Model model_{sched::catalog()};
  core::SnapshotPublisher publisher_;
  std::unique_ptr<dataplane::LiveDataplane> dataplane_;       // none: control plane only
  std::optional<config::DataplaneConfig> running_dataplane_;  // the block dataplane_ started from
  conn::Timeouts timeouts_;
  api::ControlService control_{model_, hooks()};
  health::LoopIo health_io_{loop_};
  health::ScriptRunner scripts_{health_io_};
  health::SmtpAlerter alerter_{health_io_, log_};
  health::Manager health_{health_io_, scripts_, log_, health_hooks(),
                          static_cast<uint64_t>(getpid())};
  int signal_fd_ = -1;
};

int run(int argc, char** argv) {
  auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.ok()) {
    std::cerr << "vsd: " << parsed.error().message << "\n";
    return 2;
  }
  const Options& o = *parsed;
  if (o.help) {
    std::cout << usage();
    return 0;
  }
  if (o.version) {
    std::cout << kVersion << "\n";
    return 0;
  }
  const auto path = o.config_file ? o.config_file : default_config_file();
  if (o.config_test) return config_test(path, config::LexOptions{o.config_id.value_or("")});
  if (o.pcap_in) {
    if (!path) {
      std::cerr << "vsd: offline replay needs a configuration file (-f FILE)\n";
      return 1;
    }
    return run_offline_replay(*path, config::LexOptions{o.config_id.value_or("")}, *o.pcap_in,
                              *o.pcap_out, std::cerr);
  }

  // Signals are taken by the event loop through a signalfd: block them before any thread starts.
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&set, sig);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  if (!o.foreground && !daemonize()) {
    std::perror("vsd: fork");
    return 1;
  }
  Logger log("vsd", o.log_console ? Logger::Sink::console : Logger::Sink::syslog, o.log_detail);
  Daemon daemon(o, path, log);
  return daemon.run();
}

}  // namespace
}  // namespace vsd::daemon

int main(int argc, char** argv) {
  return vsd::daemon::run(argc, argv);
}

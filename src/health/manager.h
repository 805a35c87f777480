#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/log.h"
#include "common/random.h"
#include "config/configuration.h"
#include "config/diagnostics.h"
#include "core/model.h"
#include "health/checker.h"
#include "health/file_watcher.h"
#include "health/membership.h"
#include "health/script_runner.h"
#include "health/smtp_alert.h"

namespace vsd::health {

// Where the manager sends what it decides: model changes (the daemon applies them and publishes
// a snapshot) and alerts (e-mail through global_defs' smtp_server: SmtpAlerter::send). An alert's
// subject is keepalived's without the "[router_id] " the mailer puts in front.
struct ManagerHooks {
  std::function<void(const std::vector<core::Change>&)> apply;
  std::function<void(const std::string& subject, const std::string& body)> alert;
};

// Owns the checkers of one configuration and turns their results into real-server membership:
// a real server is up only while none of its checkers fails. A reload keeps the state of every
// checker whose virtual server, real server and settings did not change, so it causes no
// flapping.
class Manager final : public CheckerEvents {
 public:
  Manager(Io& io, ScriptRunner& scripts, Logger& log, ManagerHooks hooks, uint64_t seed);
  ~Manager() override;

  // Takes `config` as the checked configuration. Returns the changes that turn the model the
  // configuration describes (every real server present) into the one health allows (failed
  // servers removed or inhibited, sorry servers in), for the caller to apply to that model before
  // diffing it against the running one. Checker blocks with errors are reported in `d`.
  std::vector<core::Change> configure(const config::Configuration& config, config::Diagnostics& d);
  // omega: at shutdown, run the notify_down and quorum_down scripts of what was up and send the
  // "=> Shutting down <=" mails (for the daemon to let them finish before it exits).
  void shutdown();

  size_t checker_count() const;
  // A real server's state as the checkers see it (tests, status).
  std::optional<bool> alive(const core::ServiceKey& service, const Endpoint& server) const;
  // When the real server's next check is due (the earliest of its checkers), for status and
  // for seeing that a reload kept a checker's schedule.
  std::optional<Instant> next_check(const core::ServiceKey& service, const Endpoint& server) const;

  void finished(Checker& checker, const ProbeResult& result, bool state_changed) override;

 private:
  struct Server;
  struct Pool;
  struct CheckerSlot {
    Server* server;
    CheckerSettings settings;
    std::unique_ptr<Checker> checker;
    std::string key;
    bool reported_up = true;  // the checker's state the last alert decision saw
  };
  struct Server {
    Pool* pool;
    ServerHealth health;
    std::optional<std::string> notify_up, notify_down;
    bool smtp_alert = true;
    std::vector<std::unique_ptr<CheckerSlot>> checkers;
  };
  struct Pool {
    std::string key;
    std::string name;  // "[10.0.0.1]:tcp:80" as keepalived prints a virtual server
    std::vector<core::ServiceKey> services;
    std::vector<std::unique_ptr<Server>> servers;
    std::optional<core::DestinationConfig> sorry_server;
    bool sorry_server_inhibit = false;
    bool omega = false;
    bool smtp_alert = false;
    Quorum quorum{1, 0};
    std::optional<std::string> quorum_up, quorum_down;
    std::vector<std::vector<core::DestinationConfig>> applied;  // per service
  };

  std::vector<ServerHealth> healths(const Pool& pool) const;
  std::vector<core::DestinationConfig> desired(const Pool& pool, size_t service) const;
  static std::optional<int64_t> checkers_weight(const Server& server);
  // Returns whether the real server went up or down.
  bool refresh(Server& server);
  void alert_checker(CheckerSlot& slot, const ProbeResult& result, bool server_changed);
  void update_quorum(Pool& pool);
  void publish(Pool& pool);
  void run_script(const std::string& command, const std::string& what);
  std::string server_name(const Server& server) const;

  Io& io_;
  ScriptRunner& scripts_;
  Logger& log_;
  ManagerHooks hooks_;
  SplitMix64 jitter_;
  AlertPolicy alert_policy_;
  FileWatcher files_{io_};  // before pools_: outlives the FILE_CHECK probes that follow files
  std::vector<std::unique_ptr<Pool>> pools_;
  bool configured_ = false;  // a later configure() is a reload
  std::map<const Checker*, CheckerSlot*> slots_;
};

}  // namespace vsd::health

#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "api/protocol.h"
#include "api/schema.h"
#include "core/model.h"

namespace vsd::api {

// What the daemon offers beyond the model: the connection table and its timeouts live in the
// data plane, the sync daemon in the HA loop. The daemon wires these; a daemon without a data
// plane answers with an empty table and its configured timeouts.
struct ControlHooks {
  std::function<void()> model_changed;  // publish a new snapshot
  std::function<std::vector<ConnectionStatus>()> list_connections;
  std::function<TimeoutSettings()> get_timeouts;
  std::function<Status(const TimeoutSettings&)> set_timeouts;
  std::function<Status(const Json& daemon)> start_sync_daemon;
  std::function<Status(const std::string& state)> stop_sync_daemon;
  std::function<Json()> get_sync_daemons;
};

// The daemon's side of every operation: requests become model changes (validated, applied
// whole or not at all) and listings. Runs on the control loop.
class ControlService {
 public:
  ControlService(core::Model& model, ControlHooks hooks, unsigned connection_table_size = 4096);
  Response handle(const Request& request);

 private:
  Result<Json> dispatch(const Request& request);
  Result<Json> apply(const core::Change& change);
  Result<Json> list(const Json& args) const;

  core::Model& model_;
  ControlHooks hooks_;
  unsigned connection_table_size_;
};

ServiceStatus status_of(const core::ServiceEntry& entry);

}  // namespace vsd::api

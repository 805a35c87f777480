#pragma once

#include <optional>
#include <vector>

#include "core/model.h"

namespace vsd::health {

// One real server as the checkers see it.
struct ServerHealth {
  core::DestinationConfig config;
  bool alive = true;
  bool inhibit_on_failure = false;
  std::optional<int64_t> dynamic_weight;  // MISC_CHECK misc_dynamic
  int64_t weight() const { return dynamic_weight.value_or(config.weight); }
};

// keepalived's quorum with hysteresis: the pool gains quorum when the weight of its live servers
// reaches quorum + hysteresis, and loses it when that weight is 0 or below quorum - hysteresis.
class Quorum {
 public:
  Quorum(int64_t quorum, int64_t hysteresis) : quorum_(quorum), hysteresis_(hysteresis) {}
  // The new state for this live weight; true when it changed.
  bool update(int64_t live_weight);
  bool up() const { return up_; }
  void set_up(bool up) { up_ = up; }
  int64_t quorum() const { return quorum_; }
  int64_t hysteresis() const { return hysteresis_; }

 private:
  int64_t quorum_, hysteresis_;
  bool up_ = true;
};

int64_t live_weight(const std::vector<ServerHealth>& servers);

// The destinations a service holds for these servers (keepalived's ipwrapper.c rules): live
// servers at their weight; failed ones removed, or kept at weight 0 with inhibit_on_failure.
// Without quorum and with a sorry server, the sorry server alone takes the traffic (inhibited
// servers stay at weight 0). `service_port` is used for DR/TUN servers of a port service.
struct PoolView {
  const std::vector<ServerHealth>& servers;
  bool quorum_up;
  const std::optional<core::DestinationConfig>& sorry_server;
  bool sorry_server_inhibit;
};
std::vector<core::DestinationConfig> desired_destinations(const PoolView& pool,
                                                          const core::ServiceKey& key);

// The changes that turn `from` into `to` for one service.
void append_membership_changes(const core::ServiceKey& key,
                               const std::vector<core::DestinationConfig>& from,
                               const std::vector<core::DestinationConfig>& to,
                               std::vector<core::Change>& out);

}  // namespace vsd::health

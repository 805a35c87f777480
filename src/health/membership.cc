#include "health/membership.h"

#include <algorithm>

namespace vsd::health {

bool Quorum::update(int64_t live_weight) {
  if (!up_ && live_weight >= quorum_ + hysteresis_) {
    up_ = true;
    return true;
  }
  if (up_ && (live_weight == 0 || live_weight < quorum_ - hysteresis_)) {
    up_ = false;
    return true;
  }
  return false;
}

int64_t live_weight(const std::vector<ServerHealth>& servers) {
  int64_t sum = 0;
  for (const auto& s : servers)
    if (s.alive) sum += s.weight();
  return sum;
}

namespace {

core::DestinationConfig placed(core::DestinationConfig d, const core::ServiceKey& key) {
  if (core::keeps_port(d.method) && !key.is_fwmark()) d.port = key.port;
  return d;
}

}  // namespace

std::vector<core::DestinationConfig> desired_destinations(const PoolView& pool,
                                                          const core::ServiceKey& key) {
  std::vector<core::DestinationConfig> out;
  const bool sorry_active = !pool.quorum_up && pool.sorry_server;
  for (const ServerHealth& s : pool.servers) {
    core::DestinationConfig d = placed(s.config, key);
    if (s.alive && !sorry_active) {
      d.weight = s.weight();
      out.push_back(d);
    } else if (s.inhibit_on_failure) {
      d.weight = 0;
      out.push_back(d);
    }
  }
  if (pool.sorry_server && (sorry_active || pool.sorry_server_inhibit)) {
    core::DestinationConfig d = placed(*pool.sorry_server, key);
    if (!sorry_active) d.weight = 0;
    // A sorry server that is also a real server is already there.
    const bool listed = std::any_of(out.begin(), out.end(),
                                    [&](const auto& o) { return o.endpoint() == d.endpoint(); });
    if (!listed) out.push_back(d);
  }
  return out;
}

void append_membership_changes(const core::ServiceKey& key,
                               const std::vector<core::DestinationConfig>& from,
                               const std::vector<core::DestinationConfig>& to,
                               std::vector<core::Change>& out) {
  auto find = [](const std::vector<core::DestinationConfig>& list, const Endpoint& e) {
    return std::find_if(list.begin(), list.end(),
                        [&](const core::DestinationConfig& d) { return d.endpoint() == e; });
  };
  for (const auto& old : from)
    if (find(to, old.endpoint()) == to.end())
      out.push_back(core::DeleteDestination{key, old.endpoint()});
  for (const auto& now : to) {
    auto old = find(from, now.endpoint());
    if (old == from.end())
      out.push_back(core::AddDestination{key, now});
    else if (!(*old == now))
      out.push_back(core::EditDestination{key, now});
  }
}

}  // namespace vsd::health

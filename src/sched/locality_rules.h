#pragma once

#include <cstdint>
#include <span>

#include "core/real_server.h"

// The load rules lblc and lblcr share (IPVS ip_vs_lblc.c / ip_vs_lblcr.c).
namespace vsd::sched {

// include/net/ip_vs.h ip_vs_dest_conn_overhead(): an active connection weighs 256 idle ones.
inline uint64_t locality_overhead(const core::RealServer& d) {
  return uint64_t{d.active_connections()} * 256 + d.inactive_connections();
}

// __ip_vs_lblc_schedule(): the least overhead/weight over the whole list, compared by cross
// multiplication; skips OVERLOAD and weight 0; the earlier destination wins a tie.
inline core::RealServer* least_weighted_overhead(std::span<core::RealServer* const> list) {
  core::RealServer* least = nullptr;
  uint64_t least_overhead = 0;
  uint64_t least_weight = 0;
  for (core::RealServer* d : list) {
    if (d->overloaded()) continue;
    const int32_t weight = d->weight();
    if (weight <= 0) continue;
    const uint64_t overhead = locality_overhead(*d);
    if (!least || least_overhead * uint64_t(weight) > overhead * least_weight) {
      least = d;
      least_overhead = overhead;
      least_weight = uint64_t(weight);
    }
  }
  return least;
}

// is_overloaded() of lblc/lblcr, which is not the OVERLOAD mark: the destination has more
// active connections than its weight while some destination of the service is below half of
// its own, so that moving the address there is worth losing the locality.
inline bool busy_while_another_is_idle(const core::RealServer& d,
                                       std::span<core::RealServer* const> list) {
  if (int64_t{d.active_connections()} <= int64_t{d.weight()}) return false;
  for (const core::RealServer* other : list)
    if (int64_t{other->active_connections()} * 2 < int64_t{other->weight()}) return true;
  return false;
}

}  // namespace vsd::sched

#pragma once

#include "core/real_server.h"

namespace vsd::sched {

// The test every IPVS scheduler applies before choosing a destination: not quiesced (weight 0)
// and not marked OVERLOAD by its connection thresholds.
inline bool can_take_new_connections(const core::RealServer& d) {
  return d.weight() > 0 && !d.overloaded();
}

}  // namespace vsd::sched

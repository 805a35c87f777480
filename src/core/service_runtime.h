#pragma once

#include "core/rate_estimator.h"
#include "core/service_load.h"
#include "core/stats.h"

namespace vsd::core {

// What lives as long as a virtual service does, whatever edits it goes through, and as long as
// any of its real servers (so any connection) still refers to it: the service's counters, its
// rate estimator and the load board its scheduler listens on.
struct ServiceRuntime {
  explicit ServiceRuntime(unsigned workers) : stats(workers) {}
  Stats stats;
  RateEstimator estimator;  // touched by the control loop only
  ServiceLoad load;
};

}  // namespace vsd::core

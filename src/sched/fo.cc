// Weighted failover (IPVS ip_vs_fo.c): the available destination with the highest weight.
#include "sched/algorithms.h"
#include "sched/load_scheduler.h"

namespace vsd::sched {

namespace {

bool heavier(const LoadSample& later, const LoadSample& earlier) {
  return later.weight > earlier.weight;
}

constexpr LoadOrder kFailover{can_take_new_connections, heavier};

}  // namespace

std::unique_ptr<core::Scheduler> make_failover(const core::SchedulerSpec& spec) {
  return make_load_scheduler(spec, kFailover, "fo");
}

}  // namespace vsd::sched

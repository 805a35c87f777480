// Weighted least connection (IPVS ip_vs_wlc.c, ipvsadm's default): the available destination
// with the least overhead / weight.
#include "sched/algorithms.h"
#include "sched/load_scheduler.h"

namespace vsd::sched {

namespace {

bool less_overhead_per_weight(const LoadSample& later, const LoadSample& earlier) {
  return lighter_per_weight(later.overhead(), later.weight, earlier.overhead(), earlier.weight);
}

constexpr LoadOrder kWeightedLeastConnection{can_take_new_connections, less_overhead_per_weight};

}  // namespace

std::unique_ptr<core::Scheduler> make_weighted_least_connection(const core::SchedulerSpec& spec) {
  return make_load_scheduler(spec, kWeightedLeastConnection, "wlc");
}

}  // namespace vsd::sched

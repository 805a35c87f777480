// Shortest expected delay (IPVS ip_vs_sed.c): the available destination with the least
// (active + 1) / weight; inactive connections do not count.
#include "sched/algorithms.h"
#include "sched/load_scheduler.h"

namespace vsd::sched {

namespace {

bool shorter_expected_delay(const LoadSample& later, const LoadSample& earlier) {
  return lighter_per_weight(later.expected_delay(), later.weight, earlier.expected_delay(),
                            earlier.weight);
}

constexpr LoadOrder kShortestExpectedDelay{can_take_new_connections, shorter_expected_delay};

}  // namespace

std::unique_ptr<core::Scheduler> make_shortest_expected_delay(const core::SchedulerSpec& spec) {
  return make_load_scheduler(spec, kShortestExpectedDelay, "sed");
}

}  // namespace vsd::sched

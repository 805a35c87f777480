// Never queue (IPVS ip_vs_nq.c): the first available destination with no active connection;
// when every one is busy, the one with the least (active + 1) / weight, as sed.
#include "sched/algorithms.h"
#include "sched/load_scheduler.h"

namespace vsd::sched {

namespace {

// IPVS returns the first idle destination as soon as its scan meets it. As an order: any idle
// destination beats any busy one, idle ones tie (so the earliest stays), busy ones compare as sed.
bool sooner_served(const LoadSample& later, const LoadSample& earlier) {
  const bool later_idle = later.active == 0;
  const bool earlier_idle = earlier.active == 0;
  if (later_idle || earlier_idle) return later_idle && !earlier_idle;
  return lighter_per_weight(later.expected_delay(), later.weight, earlier.expected_delay(),
                            earlier.weight);
}

constexpr LoadOrder kNeverQueue{can_take_new_connections, sooner_served};

}  // namespace

std::unique_ptr<core::Scheduler> make_never_queue(const core::SchedulerSpec& spec) {
  return make_load_scheduler(spec, kNeverQueue, "nq");
}

}  // namespace vsd::sched

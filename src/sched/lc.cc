// Least connection (IPVS ip_vs_lc.c): the available destination with the least overhead,
// active * 256 + inactive; weights matter only in that 0 means quiesced.
#include "sched/algorithms.h"
#include "sched/load_scheduler.h"

namespace vsd::sched {

namespace {

bool fewer_connections(const LoadSample& later, const LoadSample& earlier) {
  return later.overhead() < earlier.overhead();
}

constexpr LoadOrder kLeastConnection{can_take_new_connections, fewer_connections};

}  // namespace

std::unique_ptr<core::Scheduler> make_least_connection(const core::SchedulerSpec& spec) {
  return make_load_scheduler(spec, kLeastConnection, "lc");
}

}  // namespace vsd::sched

// Overflow (IPVS ip_vs_ovf.c): the highest-weight available destination whose active
// connections do not exceed its weight; traffic overflows to the next one when they do.
#include "sched/algorithms.h"
#include "sched/load_scheduler.h"

namespace vsd::sched {

namespace {

// IPVS skips a destination only when active > weight, so one with exactly `weight` active
// connections still takes the next one.
bool within_weight(const LoadSample& s) {
  return can_take_new_connections(s) && s.active <= s.weight;
}

bool heavier(const LoadSample& later, const LoadSample& earlier) {
  return later.weight > earlier.weight;
}

constexpr LoadOrder kOverflow{within_weight, heavier};

}  // namespace

std::unique_ptr<core::Scheduler> make_overflow(const core::SchedulerSpec& spec) {
  return make_load_scheduler(spec, kOverflow, "ovf");
}

}  // namespace vsd::sched

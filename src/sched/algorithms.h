#pragma once

#include <memory>

#include "core/scheduler.h"

// One factory per algorithm, each defined in the file named after it (IPVS's ip_vs_<name>.c).
namespace vsd::sched {

std::unique_ptr<core::Scheduler> make_round_robin(const core::SchedulerSpec& spec);

}  // namespace vsd::sched

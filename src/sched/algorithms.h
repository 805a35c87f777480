#pragma once

#include <memory>

#include "core/scheduler.h"

// One factory per algorithm, each defined in the file named after it (IPVS's ip_vs_<name>.c).
namespace vsd::sched {

std::unique_ptr<core::Scheduler> make_round_robin(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_weighted_round_robin(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_least_connection(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_weighted_least_connection(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_shortest_expected_delay(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_never_queue(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_failover(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_overflow(const core::SchedulerSpec& spec);

}  // namespace vsd::sched

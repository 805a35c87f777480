#pragma once

#include <memory>
#include <string_view>

#include "core/scheduler.h"
#include "sched/load_index.h"

namespace vsd::sched {

// A scheduler for one of IPVS's load-based algorithms (lc, wlc, sed, nq, fo, ovf), given as a
// LoadOrder. It answers from a LoadIndex kept current through the service's load board while it
// is the board's listener, and falls back to IPVS's plain scan otherwise (when a newer scheduler
// of the same service took the board over, or when there is no board). Both give the same
// destination.
std::unique_ptr<core::Scheduler> make_load_scheduler(const core::SchedulerSpec& spec,
                                                     const LoadOrder& order, std::string_view name);

}  // namespace vsd::sched

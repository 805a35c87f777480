#pragma once

#include <string_view>
#include <vector>

#include "core/scheduler.h"

namespace vsd::sched {

// Every scheduling algorithm vsd knows, by its ipvsadm name. The daemon hands this catalog to
// the model (which checks names) and the snapshot builder (which creates schedulers).
const core::SchedulerCatalog& catalog();
std::vector<std::string_view> algorithm_names();

}  // namespace vsd::sched

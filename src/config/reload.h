#pragma once

#include <vector>

#include "core/model.h"

namespace vsd::config {

// The changes that turn `current` into `desired` and nothing more: services and real servers
// that did not change are not touched, so they keep their connections, counters, scheduler
// state and (for the health module) checker state. A real server that left the configuration
// is removed from its service; its connections live on until they end (they hold it), which is
// how IPVS drains a deleted destination. Apply the result as one batch: whole or not at all.
std::vector<core::Change> diff(const core::Model& current, const core::Model& desired);

}  // namespace vsd::config

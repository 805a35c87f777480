#pragma once

#include "common/result.h"
#include "config/dataplane_config.h"
#include "dataplane/settings.h"

namespace vsd::daemon {

// The configuration's dataplane block as the data plane takes it: interfaces numbered in the
// order given, routes and neighbours pointing at those numbers. A MAC, MTU or address left out
// is read from the kernel's interface of that name when there is one (live: the first IPv4 and
// the first global IPv6 address); offline a missing MAC is 00:00:00:00:00:00, a missing MTU
// 1500.
Result<dataplane::DataplaneSettings> dataplane_settings(const config::DataplaneConfig& config);

// Whether two dataplane blocks say the same thing, wherever in their files they were written.
bool same_dataplane(const config::DataplaneConfig& a, const config::DataplaneConfig& b);

}  // namespace vsd::daemon

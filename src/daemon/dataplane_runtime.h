#pragma once

#include <memory>

#include "common/result.h"
#include "config/dataplane_config.h"
#include "conn/timeouts.h"
#include "core/snapshot.h"
#include "dataplane/live_dataplane.h"

namespace vsd::daemon {

// The live data plane a configuration's dataplane block asks for (backend afpacket; afxdp is
// refused until it exists; pcap is offline only and refused here).
Result<std::unique_ptr<dataplane::LiveDataplane>> start_live_dataplane(
    const config::DataplaneConfig& config, const core::SnapshotPublisher& snapshots,
    const conn::Timeouts& timeouts);

}  // namespace vsd::daemon

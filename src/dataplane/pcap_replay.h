#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "core/snapshot.h"
#include "dataplane/counters.h"
#include "dataplane/pipeline.h"

namespace vsd::dataplane {

struct ReplayReport {
  uint64_t packets_read = 0;
  uint64_t packets_written = 0;
  WorkerCounters counters;
};

// Offline mode (vsd --pcap-in/--pcap-out): every frame of `input` goes through one pipeline as
// if it had arrived on interface 0, with the packet's timestamp as the time; what the pipeline
// would transmit is written to `output` with the same timestamp. Dropped and passed frames are
// counted, not written.
Result<ReplayReport> replay_pcap(const std::string& input, const std::string& output,
                                 DataplaneShared& shared, const core::Snapshot& snapshot);

}  // namespace vsd::dataplane

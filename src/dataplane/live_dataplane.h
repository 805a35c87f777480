#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.h"
#include "conn/connection_table.h"
#include "conn/timeouts.h"
#include "core/snapshot.h"
#include "dataplane/counters.h"
#include "dataplane/packet_port.h"
#include "dataplane/pipeline.h"
#include "dataplane/settings.h"
#include "dataplane/xdp_program.h"

namespace vsd::dataplane {

// The data plane on live links: `workers` threads, each with its own port (afpacket or afxdp)
// and pipeline, reading the published snapshot once per batch; a resolver thread that keeps
// routes and neighbours in step with the kernel (rtnetlink, every 200 ms) and asks it to resolve
// the next hops the workers missed. What vsd handles is kept from the kernel by vsd's nftables
// ingress table (afpacket) or steered away from it by the XDP program's maps (afxdp), both
// rewritten from each snapshot.
class LiveDataplane {
 public:
  struct Options {
    bool kernel_routes = true;  // take routes and neighbours from rtnetlink
    bool kernel_filter = true;  // install the nftables ingress table
  };
  static Result<std::unique_ptr<LiveDataplane>> start(DataplaneSettings settings,
                                                      const core::SnapshotPublisher& snapshots,
                                                      const conn::Timeouts& timeouts,
                                                      Options options);
  ~LiveDataplane();
  LiveDataplane(const LiveDataplane&) = delete;
  LiveDataplane& operator=(const LiveDataplane&) = delete;

  // Control thread, after each publish: the kernel filter follows the services.
  Status snapshot_changed(const core::Snapshot& snapshot);
  // Every worker's counters summed.
  WorkerCounters counters() const;
  // The table's timeouts follow ipvsadm --set through table().timeouts().set().
  conn::ConnectionTable& table() { return table_; }
  const DataplaneSettings& settings() const { return shared_.settings(); }

 private:
  LiveDataplane(DataplaneSettings settings, const core::SnapshotPublisher& snapshots,
                Options options);
  void run_worker(size_t index);
  void run_resolver();

  const core::SnapshotPublisher& snapshots_;
  Options options_;
  conn::ConnectionTable table_;
  DataplaneShared shared_;
  std::unique_ptr<XdpProgram> program_;  // afxdp; outlives the ports (declared before)
  std::vector<std::unique_ptr<PacketPort>> ports_;
  std::vector<std::unique_ptr<Pipeline>> pipelines_;
  std::vector<int> kernel_index_;
  std::atomic<bool> stop_{false};
  std::mutex resolver_mutex_;
  std::condition_variable resolver_wake_;
  std::vector<std::thread> threads_;
};

}  // namespace vsd::dataplane

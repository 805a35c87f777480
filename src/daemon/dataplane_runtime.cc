#include "daemon/dataplane_runtime.h"

#include "daemon/dataplane_settings.h"

namespace vsd::daemon {

Result<std::unique_ptr<dataplane::LiveDataplane>> start_live_dataplane(
    const config::DataplaneConfig& config, const core::SnapshotPublisher& snapshots,
    const conn::Timeouts& timeouts) {
  if (config.backend == "pcap")
    return Error{to_string(config.where) +
                     ": backend pcap runs offline only (vsd --pcap-in IN --pcap-out OUT)",
                 EINVAL};
  auto settings = dataplane_settings(config);
  if (!settings) return settings.error();
  dataplane::LiveDataplane::Options options;
  options.kernel_routes = config.kernel_routes;
  return dataplane::LiveDataplane::start(std::move(*settings), snapshots, timeouts, options);
}

}  // namespace vsd::daemon

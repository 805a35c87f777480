#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/address.h"

namespace vsd::cli {

// A running connection-sync daemon as ipvsadm --daemon reports it. Zero / empty optional means
// "not reported", and the field is left out of the line, as ipvsadm does for older kernels.
struct SyncDaemonStatus {
  std::string mcast_interface;
  unsigned syncid = 0;
  unsigned sync_maxlen = 0;
  std::optional<IpAddress> mcast_group;
  uint16_t mcast_port = 0;
  uint8_t mcast_ttl = 0;
};

struct SyncDaemons {
  std::optional<SyncDaemonStatus> master;
  std::optional<SyncDaemonStatus> backup;
};

// ipvsadm -L --daemon (list_daemon): the master line, then the backup line, each only if that
// daemon runs: "master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81,
// port=8848, ttl=1)".
std::string format_sync_daemons(const SyncDaemons& daemons);

}  // namespace vsd::cli

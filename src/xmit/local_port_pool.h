#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/address.h"
#include "common/time.h"
#include "conn/connection_table.h"
#include "core/service.h"

namespace vsd::xmit {

// FULLNAT local endpoints (DPVS's sa_pool): the director's local addresses times a port range.
// Ports are partitioned among the workers (port p belongs to worker (p - first) % workers), so
// a worker hands out its own ports without a lock and two workers can never give the same
// endpoint away. Replies are found through the connection table's reply index, which every
// worker shares, whatever worker they reach.
//
// Nothing tells the pool when a connection ends: each port remembers the last connection it was
// given to (server and protocol) and counts as free again once the table no longer holds that
// connection. So a port is never handed out twice while its connection lives, and no per-packet
// or per-expiry bookkeeping is needed.
class LocalPortPool {
 public:
  struct Settings {
    std::vector<IpAddress> addresses;
    uint16_t first_port = 1024;
    uint16_t last_port = 65535;
    unsigned workers = 1;
    unsigned max_probes = 64;  // ports examined per new connection before giving up
  };
  explicit LocalPortPool(Settings settings);

  struct Lease {
    Endpoint local;
    uint32_t slot = 0;
  };
  // A free local endpoint of `family` for `worker`, or nullopt (no address of that family, or
  // every probed port still in use: the caller counts it and drops the packet).
  std::optional<Lease> acquire(unsigned worker, AddressFamily family, conn::ConnectionTable& table,
                               Instant now);
  // The lease became a connection to `server`.
  void commit(const Lease& lease, const Endpoint& server, core::Protocol protocol);

  bool has_family(AddressFamily family) const;
  size_t ports_per_address() const { return ports_; }

 private:
  struct Use {
    IpAddress server;
    uint16_t server_port = 0;
    uint8_t protocol = 0;  // 0: never used
  };
  struct alignas(64) Cursor {
    uint32_t address = 0;
    uint32_t step = 0;  // the next of this worker's ports to try, counted in its partition
  };

  Settings settings_;
  size_t ports_ = 0;
  std::vector<Use> uses_;  // [address index * ports_ + port - first_port]
  std::unique_ptr<Cursor[]> cursors_;
};

}  // namespace vsd::xmit

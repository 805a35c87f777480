#pragma once

#include <vector>

#include "common/address.h"
#include "common/result.h"
#include "dataplane/settings.h"

namespace vsd::dataplane {

// The kernel's routes and neighbours through rtnetlink (plain NETLINK_ROUTE, no library), for
// the live backends. `kernel_index[i]` is the kernel ifindex of the data plane's interface i;
// entries on other interfaces are left out. Control-side only (syscalls, allocation).
class Rtnetlink {
 public:
  static Result<Rtnetlink> open();
  Rtnetlink(Rtnetlink&& other) noexcept;
  Rtnetlink& operator=(Rtnetlink&&) = delete;
  ~Rtnetlink();

  // The main table's unicast routes through our interfaces (RTM_GETROUTE dump).
  Result<std::vector<RouteSettings>> routes(const std::vector<int>& kernel_index);
  // Neighbours with a usable link address (reachable, stale, delay, probe, permanent).
  Result<std::vector<NeighbourSettings>> neighbours(const std::vector<int>& kernel_index);
  // Asks the kernel to resolve `address` on the link (RTM_NEWNEIGH with NTF_USE, as
  // `ip neigh replace ADDR dev IF use`): it sends the ARP request / neighbour solicitation and
  // a later neighbours() call sees the answer.
  Status resolve(int kernel_ifindex, const IpAddress& address);

 private:
  explicit Rtnetlink(int fd) : fd_(fd) {}
  Result<std::vector<std::vector<uint8_t>>> dump(uint16_t type, uint8_t family);
  int fd_ = -1;
  uint32_t sequence_ = 1;
};

}  // namespace vsd::dataplane

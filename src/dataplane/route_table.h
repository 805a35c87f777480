#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/address.h"
#include "dataplane/settings.h"

namespace vsd::dataplane {

// Longest-prefix match over a short list (a director has a handful of routes): the interfaces'
// own prefixes (on-link) and the configured or rtnetlink routes. Immutable once built; the live
// route watcher publishes a new table instead of editing one.
class RouteTable {
 public:
  RouteTable() = default;
  explicit RouteTable(const DataplaneSettings& settings);
  void add(const RouteSettings& route);

  struct NextHop {
    IpAddress address;  // the gateway, or the destination itself when it is on the link
    uint16_t interface = 0;
  };
  std::optional<NextHop> lookup(const IpAddress& destination) const;
  size_t size() const { return routes_.size(); }

 private:
  struct Route {
    uint64_t high = 0, low = 0;            // prefix
    uint64_t mask_high = 0, mask_low = 0;  // prefix length as a mask
    unsigned length = 0;
    bool v4 = true;
    std::optional<IpAddress> gateway;
    uint16_t interface = 0;
  };
  std::vector<Route> routes_;  // longest prefix first
};

}  // namespace vsd::dataplane

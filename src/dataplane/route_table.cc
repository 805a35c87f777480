#include "dataplane/route_table.h"

#include <algorithm>
#include <cstring>

namespace vsd::dataplane {
namespace {

void words(const IpAddress& a, uint64_t& high, uint64_t& low) {
  std::memcpy(&high, a.bytes().data(), 8);
  std::memcpy(&low, a.bytes().data() + 8, 8);
}

// A mask of `length` leading one bits over the address bytes, in the same memory order.
void mask_words(unsigned length, uint64_t& high, uint64_t& low) {
  std::array<uint8_t, 16> m{};
  for (unsigned i = 0; i < 16 && length > 0; ++i) {
    const unsigned bits = length >= 8 ? 8 : length;
    m[i] = static_cast<uint8_t>(0xff00u >> bits);
    length -= bits;
  }
  std::memcpy(&high, m.data(), 8);
  std::memcpy(&low, m.data() + 8, 8);
}

}  // namespace

RouteTable::RouteTable(const DataplaneSettings& settings) {
  for (size_t i = 0; i < settings.interfaces.size(); ++i) {
    const InterfaceSettings& itf = settings.interfaces[i];
    const auto index = static_cast<uint16_t>(i);
    if (itf.ipv4) add(RouteSettings{*itf.ipv4, itf.ipv4_prefix, std::nullopt, index});
    if (itf.ipv6) add(RouteSettings{*itf.ipv6, itf.ipv6_prefix, std::nullopt, index});
  }
  for (const RouteSettings& r : settings.routes) add(r);
}

void RouteTable::add(const RouteSettings& route) {
  Route r;
  r.v4 = route.prefix.is_v4();
  r.length = std::min(route.prefix_length, route.prefix.max_prefix());
  mask_words(r.length, r.mask_high, r.mask_low);
  words(route.prefix, r.high, r.low);
  r.high &= r.mask_high;
  r.low &= r.mask_low;
  r.gateway = route.gateway;
  r.interface = route.interface;
  const auto at = std::find_if(routes_.begin(), routes_.end(),
                               [&](const Route& o) { return o.length < r.length; });
  routes_.insert(at, r);
}

std::optional<RouteTable::NextHop> RouteTable::lookup(const IpAddress& destination) const {
  uint64_t high;
  uint64_t low;
  words(destination, high, low);
  const bool v4 = destination.is_v4();
  for (const Route& r : routes_) {
    if (r.v4 != v4 || (high & r.mask_high) != r.high || (low & r.mask_low) != r.low) continue;
    return NextHop{r.gateway ? *r.gateway : destination, r.interface};
  }
  return std::nullopt;
}

}  // namespace vsd::dataplane

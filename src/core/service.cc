#include "core/service.h"

#include <tuple>

namespace vsd::core {

std::string_view to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::tcp:
      return "TCP";
    case Protocol::udp:
      return "UDP";
    case Protocol::sctp:
      return "SCTP";
  }
  return "?";
}

std::string_view to_string(ForwardMethod method) {
  switch (method) {
    case ForwardMethod::masq:
      return "Masq";
    case ForwardMethod::local:
      return "Local";
    case ForwardMethod::tunnel:
      return "Tunnel";
    case ForwardMethod::route:
      return "Route";
    case ForwardMethod::fullnat:
      return "FullNat";
  }
  return "?";
}

std::optional<ForwardMethod> forward_method_from_name(std::string_view name) {
  // ipvsadm's words and keepalived's lb_kind/lvs_method words.
  if (name == "Masq" || name == "NAT" || name == "masq" || name == "nat")
    return ForwardMethod::masq;
  if (name == "Route" || name == "DR" || name == "route" || name == "dr")
    return ForwardMethod::route;
  if (name == "Tunnel" || name == "TUN" || name == "tunnel" || name == "tun")
    return ForwardMethod::tunnel;
  if (name == "Local" || name == "local") return ForwardMethod::local;
  if (name == "FullNat" || name == "FNAT" || name == "FULLNAT" || name == "fullnat")
    return ForwardMethod::fullnat;
  return std::nullopt;
}

static auto tie(const ServiceKey& k) {
  // fwmark services compare on (family, mark) only.
  return k.is_fwmark() ? std::tuple(1, k.family, k.fwmark, Protocol::tcp, IpAddress{}, uint16_t{0})
                       : std::tuple(0, k.family, 0u, k.protocol, k.address, k.port);
}

bool operator==(const ServiceKey& a, const ServiceKey& b) {
  return tie(a) == tie(b);
}

bool operator<(const ServiceKey& a, const ServiceKey& b) {
  // ipvsadm --sort: by protocol, then address, then port; fwmark services after the others.
  const auto ka = tie(a);
  const auto kb = tie(b);
  if (std::get<0>(ka) != std::get<0>(kb)) return std::get<0>(ka) < std::get<0>(kb);
  if (a.is_fwmark()) return std::tie(a.fwmark, a.family) < std::tie(b.fwmark, b.family);
  return std::tie(a.protocol, a.address, a.port) < std::tie(b.protocol, b.address, b.port);
}

std::string to_string(const ServiceKey& key) {
  if (key.is_fwmark())
    return "FWM " + std::to_string(key.fwmark) + (key.family == AddressFamily::v6 ? " IPv6" : "");
  return std::string(to_string(key.protocol)) + " " + to_string(Endpoint{key.address, key.port});
}

size_t ServiceKeyHash::operator()(const ServiceKey& k) const {
  if (k.is_fwmark()) return mix64((uint64_t{k.fwmark} << 8) | static_cast<uint64_t>(k.family));
  const uint64_t head = (uint64_t{static_cast<uint8_t>(k.protocol)} << 16) | k.port;
  return hash_bytes(k.address.bytes().data(), k.address.bytes().size(), head);
}

}  // namespace vsd::core

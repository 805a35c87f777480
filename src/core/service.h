#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/address.h"
#include "common/hash.h"

namespace vsd::core {

enum class Protocol : uint8_t { tcp = 6, udp = 17, sctp = 132 };
std::string_view to_string(Protocol protocol);  // "TCP", "UDP", "SCTP" as ipvsadm prints them

// How packets reach a real server. Values follow ipvsadm's names: -m Masq, -g Route (the default),
// -i Tunnel, Local; FullNat is DPVS's source-and-destination NAT.
enum class ForwardMethod : uint8_t { masq, local, tunnel, route, fullnat };
std::string_view to_string(ForwardMethod method);  // "Masq", "Local", "Tunnel", "Route", "FullNat"
std::optional<ForwardMethod> forward_method_from_name(std::string_view name);  // NAT/DR/TUN/...
// DR and TUN deliver the packet unchanged at layer 4, so the real server's port is the service's.
inline bool keeps_port(ForwardMethod m) {
  return m == ForwardMethod::route || m == ForwardMethod::tunnel;
}

// Service flags and scheduler flags with the bit values of include/uapi/linux/ip_vs.h, so that
// they travel unchanged through the API and the sync protocol.
namespace service_flag {
inline constexpr uint32_t persistent = 0x0001;
inline constexpr uint32_t one_packet = 0x0004;
inline constexpr uint32_t sched1 = 0x0008;  // sh-fallback, mh-fallback
inline constexpr uint32_t sched2 = 0x0010;  // sh-port, mh-port
inline constexpr uint32_t sched3 = 0x0020;
inline constexpr uint32_t sched_mask = sched1 | sched2 | sched3;
}  // namespace service_flag

// A virtual service: (protocol, address, port), or a firewall mark (then address/port are unused
// and family says whether it is an IPv4 or IPv6 fwmark service).
struct ServiceKey {
  Protocol protocol = Protocol::tcp;
  IpAddress address;
  uint16_t port = 0;
  uint32_t fwmark = 0;
  AddressFamily family = AddressFamily::v4;

  static ServiceKey virtual_address(Protocol protocol, IpAddress address, uint16_t port) {
    return ServiceKey{protocol, address, port, 0, address.family()};
  }
  static ServiceKey firewall_mark(uint32_t mark, AddressFamily family = AddressFamily::v4) {
    return ServiceKey{Protocol::tcp, IpAddress{}, 0, mark, family};
  }
  bool is_fwmark() const { return fwmark != 0; }
  friend bool operator==(const ServiceKey& a, const ServiceKey& b);
  friend bool operator<(const ServiceKey& a, const ServiceKey& b);  // ipvsadm's --sort order
};
std::string to_string(const ServiceKey& key);  // "TCP 10.0.0.1:80", "FWM 1", "UDP [::1]:53"

struct ServiceKeyHash {
  size_t operator()(const ServiceKey& k) const;
};

struct ServiceConfig {
  ServiceKey key;
  std::string scheduler = "wlc";  // ipvsadm's default
  uint32_t flags = 0;             // service_flag bits
  uint32_t persistence_timeout_s = 300;
  unsigned persistence_prefix = 32;  // -M netmask as a prefix (IPv6: the prefix length)
  std::string persistence_engine;    // --pe (sip); carried, not interpreted yet

  bool persistent() const { return flags & service_flag::persistent; }
  friend bool operator==(const ServiceConfig&, const ServiceConfig&) = default;
};

// How a Tunnel destination is encapsulated (ipvsadm --tun-type/--tun-port/--tun-*csum; the
// numbering of linux/ip_vs.h IP_VS_CONN_F_TUNNEL_TYPE_* and IP_VS_TUNNEL_ENCAP_FLAG_*).
enum class TunnelType : uint8_t { ipip = 0, gue = 1, gre = 2 };
enum class TunnelChecksum : uint8_t { none = 0, checksum = 1, remote_checksum = 2 };
struct TunnelSettings {
  TunnelType type = TunnelType::ipip;
  uint16_t port = 0;  // GUE only
  TunnelChecksum checksum = TunnelChecksum::none;
  friend bool operator==(const TunnelSettings&, const TunnelSettings&) = default;
};

struct DestinationConfig {
  IpAddress address;
  uint16_t port = 0;
  ForwardMethod method = ForwardMethod::route;
  int64_t weight = 1;  // 0..65535; wider here so that an out-of-range value can be reported
  uint32_t upper_threshold = 0;  // -x: 0 = no limit
  uint32_t lower_threshold = 0;  // -y
  TunnelSettings tunnel;         // used when method is tunnel

  Endpoint endpoint() const { return Endpoint{address, port}; }
  friend bool operator==(const DestinationConfig&, const DestinationConfig&) = default;
};

inline constexpr int64_t kMaxWeight = 65535;

}  // namespace vsd::core

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "common/time.h"
#include "conn/reuse.h"
#include "packet/mac_address.h"

namespace vsd::dataplane {

// One link the data plane receives and sends on. Interfaces are numbered by their position in
// DataplaneSettings::interfaces; routes, neighbours and verdicts use that number.
struct InterfaceSettings {
  std::string name;
  packet::MacAddress mac;
  uint32_t mtu = 1500;
  // The director's own addresses on this link: the outer source of tunnelled packets and the
  // source of the ICMP errors vsd sends about packets that were not addressed to a VIP.
  std::optional<IpAddress> ipv4;
  std::optional<IpAddress> ipv6;
  // The on-link prefixes those addresses sit in (each makes a route through this interface).
  unsigned ipv4_prefix = 32;
  unsigned ipv6_prefix = 128;
};

struct RouteSettings {
  IpAddress prefix;
  unsigned prefix_length = 0;
  std::optional<IpAddress> gateway;  // none: the destination is on the link
  uint16_t interface = 0;
  friend bool operator==(const RouteSettings&, const RouteSettings&) = default;
};

struct NeighbourSettings {
  IpAddress address;
  packet::MacAddress mac;
  uint16_t interface = 0;
};

enum class Backend : uint8_t { none, pcap, afpacket, afxdp };
enum class XdpMode : uint8_t { automatic, native, generic };

struct DataplaneSettings {
  Backend backend = Backend::none;
  unsigned workers = 1;
  std::vector<InterfaceSettings> interfaces;
  std::vector<RouteSettings> routes;  // besides each interface's own (on-link) prefixes
  std::vector<NeighbourSettings> neighbours;
  std::vector<IpAddress> fullnat_addresses;
  uint16_t fullnat_first_port = 1024;
  uint16_t fullnat_last_port = 65535;
  // How long a first fragment's decision is kept for the fragments that follow it.
  Duration fragment_timeout = seconds(2);
  // Check TCP/UDP checksums before a method that rewrites them (NAT, FULLNAT), as IPVS does
  // unless the NIC already did.
  bool verify_l4_checksums = true;
  // IPVS's conn_reuse_mode, expire_nodest_conn and expire_quiescent_template sysctls.
  conn::ReuseRules reuse;
  // afxdp: the compiled XDP program (src/bpf/steer.bpf.c) and how to attach it.
  std::string xdp_object;
  XdpMode xdp_mode = XdpMode::automatic;
};

}  // namespace vsd::dataplane

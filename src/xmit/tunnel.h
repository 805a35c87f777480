#pragma once

#include <cstdint>

#include "common/address.h"
#include "packet/mac_address.h"
#include "packet/parsed_packet.h"
#include "xmit/packet_buffer.h"

// IP tunnelling (ipvsadm -i, ip_vs_tunnel_xmit / ip_vs_tunnel_xmit_v6): the packet goes unchanged
// inside an outer IP header of its own family (IPIP for IPv4, IPv6-in-IPv6 for IPv6) from the
// director's address to the real server.
namespace vsd::xmit {

inline constexpr uint32_t kIpv6MinimumMtu = 1280;

// The largest inner packet a link of `link_mtu` carries once the outer header is added (IPVS:
// the route's MTU minus the outer header). IPv6 never goes below its minimum MTU.
uint32_t tunnel_inner_mtu(AddressFamily family, uint32_t link_mtu);

enum class TunnelResult : uint8_t {
  encapsulated,
  too_big,         // over tunnel_inner_mtu with DF (always for IPv6): answer "fragmentation needed"
  no_room,         // no headroom, or not an IP packet parsed whole
  would_fragment,  // over the MTU without DF: IPVS lets the kernel fragment; vsd does not
};

struct TunnelEnds {
  IpAddress source;       // the director's address on the egress link
  IpAddress destination;  // the real server
  packet::MacAddress link_source;
  packet::MacAddress link_destination;
  uint32_t link_mtu = 1500;
  uint16_t ipv4_id = 0;  // the outer IPv4 identification
};

// Replaces the frame's link header by Ethernet + outer IP in front of the IP packet (link padding
// after the IP packet is cut). On anything but `encapsulated` the buffer is unchanged.
TunnelResult tunnel_encapsulate(PacketBuffer& buffer, const packet::ParsedPacket& parsed,
                                const TunnelEnds& ends);

}  // namespace vsd::xmit

#include "xmit/tunnel.h"

#include "packet/header_writers.h"
#include "packet/ipv4.h"
#include "packet/numbers.h"
#include "packet/tunnel_header.h"

namespace vsd::xmit {
namespace {

constexpr uint32_t kEthernetHeader = 14;
constexpr uint32_t kIpv4Header = 20;
constexpr uint32_t kIpv6Header = 40;

}  // namespace

uint32_t tunnel_inner_mtu(AddressFamily family, uint32_t link_mtu) {
  if (family == AddressFamily::v4) return link_mtu > kIpv4Header ? link_mtu - kIpv4Header : 0;
  const uint32_t inner = link_mtu > kIpv6Header ? link_mtu - kIpv6Header : 0;
  return inner < kIpv6MinimumMtu ? kIpv6MinimumMtu : inner;
}

TunnelResult tunnel_encapsulate(PacketBuffer& buffer, const packet::ParsedPacket& parsed,
                                const TunnelEnds& ends) {
  if (!parsed.ok() || !parsed.is_ip()) return TunnelResult::no_room;
  const bool v4 = parsed.l3 == packet::Layer3::ipv4;
  if (v4 != ends.destination.is_v4() || v4 != ends.source.is_v4()) return TunnelResult::no_room;
  const AddressFamily family = v4 ? AddressFamily::v4 : AddressFamily::v6;
  if (parsed.l3_length > tunnel_inner_mtu(family, ends.link_mtu)) {
    if (!v4) return TunnelResult::too_big;
    auto ip = packet::ipv4_header(std::span<const uint8_t>(buffer.frame()), parsed);
    return ip && ip->dont_fragment() ? TunnelResult::too_big : TunnelResult::would_fragment;
  }
  const uint32_t outer = v4 ? kIpv4Header : kIpv6Header;
  const uint32_t needed = kEthernetHeader + outer;
  if (parsed.l3_offset + buffer.headroom() < needed) return TunnelResult::no_room;

  const uint32_t new_offset = buffer.offset() + parsed.l3_offset - needed;
  const std::span<uint8_t> storage = buffer.storage();
  const std::span<const uint8_t> frame = buffer.frame();
  const std::span<uint8_t> header = storage.subspan(new_offset + kEthernetHeader, outer);
  size_t written = 0;
  if (v4) {
    written = packet::write_ipip_header(header, frame, parsed, ends.source.v4_host_order(),
                                        ends.destination.v4_host_order(), ends.ipv4_id);
  } else {
    written = packet::write_ip6_tunnel_header(header, frame, parsed, ends.source.bytes(),
                                              ends.destination.bytes());
  }
  if (written != outer) return TunnelResult::no_room;
  packet::write_ethernet_header(storage.subspan(new_offset, kEthernetHeader), ends.link_destination,
                                ends.link_source,
                                v4 ? packet::ethertype::ipv4 : packet::ethertype::ipv6);
  buffer.reset(new_offset, needed + parsed.l3_length);
  return TunnelResult::encapsulated;
}

}  // namespace vsd::xmit

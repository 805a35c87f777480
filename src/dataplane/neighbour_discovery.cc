#include "dataplane/neighbour_discovery.h"

#include <cstring>

#include "packet/byte_order.h"
#include "packet/checksum.h"
#include "packet/header_writers.h"
#include "packet/icmp.h"
#include "packet/numbers.h"

namespace vsd::dataplane {
namespace {

constexpr size_t kEthernet = 14;
constexpr size_t kIpv6 = 40;
constexpr size_t kMessage = 32;  // type..reserved (8) + target (16) + one link-layer option (8)
constexpr uint8_t kHopLimit = 255;
constexpr uint8_t kSourceLinkLayer = 1;
constexpr uint8_t kTargetLinkLayer = 2;

size_t build(std::span<uint8_t> out, const packet::MacAddress& link_source,
             const packet::MacAddress& link_destination, const packet::Ipv6Bytes& source,
             const packet::Ipv6Bytes& destination, uint8_t type, uint32_t flags,
             const packet::Ipv6Bytes& target, uint8_t option, const packet::MacAddress& mac) {
  if (out.size() < kEthernet + kIpv6 + kMessage) return 0;
  packet::write_ethernet_header(out, link_destination, link_source, packet::ethertype::ipv6);
  packet::Ipv6Fields ip;
  ip.source = source;
  ip.destination = destination;
  ip.next_header = packet::ipproto::icmpv6;
  ip.hop_limit = kHopLimit;
  ip.payload_length = kMessage;
  packet::write_ipv6_header(out.subspan(kEthernet), ip);
  uint8_t* m = out.data() + kEthernet + kIpv6;
  std::memset(m, 0, kMessage);
  m[0] = type;
  packet::store_be32(m + 4, flags);
  std::memcpy(m + 8, target.data(), 16);
  m[24] = option;
  m[25] = 1;  // length in units of 8 bytes
  mac.store(m + 26);
  const uint16_t sum = packet::checksum_accumulate(
      {m, kMessage}, packet::pseudo_header_sum_v6(source.data(), destination.data(), kMessage,
                                                  packet::ipproto::icmpv6));
  packet::store_be16(m + 2, packet::checksum_finish(sum));
  return kEthernet + kIpv6 + kMessage;
}

}  // namespace

size_t build_neighbour_solicitation(std::span<uint8_t> out, const packet::MacAddress& mac,
                                    const packet::Ipv6Bytes& source,
                                    const packet::Ipv6Bytes& target) {
  // RFC 4291 2.7.1: ff02::1:ffXX:XXXX from the target's low 24 bits; RFC 2464 7: 33:33 + the
  // group's low 32 bits.
  packet::Ipv6Bytes group{0xff, 0x02, 0, 0, 0,    0,          0,          0,
                          0,    0,    0, 1, 0xff, target[13], target[14], target[15]};
  const packet::MacAddress multicast{{0x33, 0x33, 0xff, target[13], target[14], target[15]}};
  return build(out, mac, multicast, source, group, packet::icmpv6_type::neighbor_solicitation, 0,
               target, kSourceLinkLayer, mac);
}

size_t build_neighbour_advertisement(std::span<uint8_t> out, const packet::MacAddress& mac,
                                     const packet::Ipv6Bytes& target,
                                     const packet::MacAddress& asker_mac,
                                     const packet::Ipv6Bytes& asker) {
  constexpr uint32_t kSolicitedOverride = 0x60000000;
  return build(out, mac, asker_mac, target, asker, packet::icmpv6_type::neighbor_advertisement,
               kSolicitedOverride, target, kTargetLinkLayer, mac);
}

std::optional<NeighbourMessage> read_neighbour_message(std::span<const uint8_t> frame,
                                                       const packet::ParsedPacket& p) {
  if (!p.ok() || p.l3 != packet::Layer3::ipv6 || p.l4_protocol != packet::ipproto::icmpv6 ||
      p.l4_length < 24 || frame.size() < size_t{p.l4_offset} + p.l4_length)
    return std::nullopt;
  const uint8_t* ip = frame.data() + p.l3_offset;
  const uint8_t* m = frame.data() + p.l4_offset;
  const uint8_t type = m[0];
  if ((type != packet::icmpv6_type::neighbor_solicitation &&
       type != packet::icmpv6_type::neighbor_advertisement) ||
      m[1] != 0 || ip[7] != kHopLimit)
    return std::nullopt;
  NeighbourMessage msg;
  msg.type = type;
  std::memcpy(msg.target.data(), m + 8, 16);
  const uint8_t wanted =
      type == packet::icmpv6_type::neighbor_solicitation ? kSourceLinkLayer : kTargetLinkLayer;
  for (size_t at = 24; at + 8 <= p.l4_length;) {
    const size_t length = size_t{m[at + 1]} * 8;
    if (length == 0) break;  // RFC 4861 4.6: a zero length is invalid
    if (m[at] == wanted && length == 8) msg.link_address = packet::MacAddress::from(m + at + 2);
    at += length;
  }
  return msg;
}

}  // namespace vsd::dataplane

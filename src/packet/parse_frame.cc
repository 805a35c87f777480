#include "packet/byte_order.h"
#include "packet/numbers.h"
#include "packet/parse.h"
#include "packet/parse_steps.h"

namespace vsd::packet {
namespace {

using detail::ParseMode;

constexpr size_t kEthernetHeader = 14;
constexpr size_t kVlanTag = 4;
constexpr size_t kArpEthernetIpv4 = 28;

ParsedPacket fail(ParsedPacket p, ParseStatus status) {
  p.status = status;
  return p;
}

void parse_arp(const uint8_t* data, size_t size, ParsedPacket& p) {
  p.l3 = Layer3::arp;
  const uint8_t* arp = data + p.l3_offset;
  if (size - p.l3_offset < kArpEthernetIpv4) {
    p.status = ParseStatus::truncated_arp;
    return;
  }
  // htype Ethernet, ptype IPv4, hlen 6, plen 4: the only ARP a director answers or announces.
  if (load_be16(arp) != 1 || load_be16(arp + 2) != ethertype::ipv4 || arp[4] != 6 || arp[5] != 4) {
    p.status = ParseStatus::unsupported_arp;
    return;
  }
  p.l3_length = kArpEthernetIpv4;
  p.l3_header_length = kArpEthernetIpv4;
}

ParsedPacket parse_from_version(std::span<const uint8_t> bytes, ParseMode mode) {
  ParsedPacket p;
  p.frame_length = static_cast<uint32_t>(bytes.size());
  p.quoted = mode == ParseMode::quoted;
  if (bytes.empty()) return fail(p, ParseStatus::truncated_ip_header);
  switch (bytes[0] >> 4) {
    case 4:
      p.ethertype = ethertype::ipv4;
      detail::parse_ipv4(bytes.data(), bytes.size(), p, mode);
      return p;
    case 6:
      p.ethertype = ethertype::ipv6;
      detail::parse_ipv6(bytes.data(), bytes.size(), p, mode);
      return p;
    default:
      return fail(p, ParseStatus::bad_ip_version);
  }
}

}  // namespace

ParsedPacket parse_frame(std::span<const uint8_t> frame) {
  ParsedPacket p;
  p.frame_length = static_cast<uint32_t>(frame.size());
  const uint8_t* data = frame.data();
  const size_t size = frame.size();
  if (size < kEthernetHeader) return fail(p, ParseStatus::truncated_ethernet);
  uint16_t type = load_be16(data + 12);
  size_t offset = kEthernetHeader;
  if (type == ethertype::vlan || type == ethertype::qinq) {
    if (size < kEthernetHeader + kVlanTag) return fail(p, ParseStatus::truncated_ethernet);
    p.has_vlan = true;
    p.vlan_tci = load_be16(data + 14);
    type = load_be16(data + 16);
    offset += kVlanTag;
  }
  p.ethertype = type;
  p.l3_offset = static_cast<uint32_t>(offset);
  switch (type) {
    case ethertype::ipv4:
      detail::parse_ipv4(data, size, p, ParseMode::full);
      break;
    case ethertype::ipv6:
      detail::parse_ipv6(data, size, p, ParseMode::full);
      break;
    case ethertype::arp:
      parse_arp(data, size, p);
      break;
    default:
      break;  // not ours to understand: l3 stays none, the caller decides (pass or drop)
  }
  return p;
}

ParsedPacket parse_ip_packet(std::span<const uint8_t> packet) {
  return parse_from_version(packet, ParseMode::full);
}

ParsedPacket parse_quoted_packet(std::span<const uint8_t> quote) {
  return parse_from_version(quote, ParseMode::quoted);
}

}  // namespace vsd::packet

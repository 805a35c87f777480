#pragma once

// Test support: frames built field by field (Ethernet, IPv4/IPv6, TCP/UDP, payload) with every
// checksum computed in full, so that an expected frame never goes through the incremental
// updates the pipeline uses.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/address.h"
#include "packet/byte_order.h"
#include "packet/header_writers.h"
#include "packet/l4_checksum.h"
#include "packet/mac_address.h"
#include "packet/numbers.h"
#include "packet/parse.h"

namespace vsd::dataplane::testing {

using Bytes = std::vector<uint8_t>;

inline IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

inline packet::MacAddress mac(uint8_t last, uint8_t before_last = 0) {
  return packet::MacAddress{{0x02, 0x00, 0x00, 0x00, before_last, last}};
}

struct FrameSpec {
  packet::MacAddress link_source = mac(0xaa, 0xaa);
  packet::MacAddress link_destination = mac(0x01);
  std::optional<uint16_t> vlan;
  std::string source = "203.0.113.5";
  std::string destination = "192.168.2.11";
  uint8_t protocol = packet::ipproto::tcp;
  uint16_t source_port = 40000;
  uint16_t destination_port = 80;
  uint8_t tcp_flags = 0x02;  // SYN
  uint8_t ttl = 64;
  uint8_t tos = 0;
  bool dont_fragment = true;
  uint16_t id = 0x1234;
  size_t payload = 0;
  uint8_t payload_seed = 0x30;
};

// The L4 header and payload (TCP: 20-byte header, no options).
inline Bytes transport_bytes(const FrameSpec& s) {
  Bytes l4;
  if (s.protocol == packet::ipproto::tcp) {
    l4.resize(20 + s.payload);
    packet::store_be16(&l4[0], s.source_port);
    packet::store_be16(&l4[2], s.destination_port);
    packet::store_be32(&l4[4], 0x01020304);
    packet::store_be32(&l4[8], (s.tcp_flags & 0x10) ? 0x0a0b0c0du : 0);
    l4[12] = 5 << 4;
    l4[13] = s.tcp_flags;
    packet::store_be16(&l4[14], 64240);
    for (size_t i = 0; i < s.payload; ++i) l4[20 + i] = static_cast<uint8_t>(s.payload_seed + i);
  } else if (s.protocol == packet::ipproto::udp) {
    l4.resize(8 + s.payload);
    packet::store_be16(&l4[0], s.source_port);
    packet::store_be16(&l4[2], s.destination_port);
    packet::store_be16(&l4[4], static_cast<uint16_t>(8 + s.payload));
    for (size_t i = 0; i < s.payload; ++i) l4[8 + i] = static_cast<uint8_t>(s.payload_seed + i);
  } else {
    l4.assign(8 + s.payload, 0x5a);
    if (s.protocol == packet::ipproto::sctp) {  // the common header opens with the ports
      packet::store_be16(&l4[0], s.source_port);
      packet::store_be16(&l4[2], s.destination_port);
    }
  }
  return l4;
}

// Ethernet + IP header in front of `l4` (already complete); the L4 checksum is then computed.
inline Bytes frame_around(const FrameSpec& s, const Bytes& l4, bool fill_checksum = true) {
  const IpAddress from = ip(s.source.c_str());
  const IpAddress to = ip(s.destination.c_str());
  Bytes f(18 + 40 + l4.size());
  const size_t l2 = packet::write_ethernet_header(
      f, s.link_destination, s.link_source,
      from.is_v4() ? packet::ethertype::ipv4 : packet::ethertype::ipv6, s.vlan);
  size_t l3 = 0;
  if (from.is_v4()) {
    packet::Ipv4Fields ipf;
    ipf.source = from.v4_host_order();
    ipf.destination = to.v4_host_order();
    ipf.protocol = s.protocol;
    ipf.ttl = s.ttl;
    ipf.tos = s.tos;
    ipf.id = s.id;
    ipf.dont_fragment = s.dont_fragment;
    ipf.payload_length = static_cast<uint16_t>(l4.size());
    l3 = packet::write_ipv4_header(std::span<uint8_t>(f).subspan(l2), ipf);
  } else {
    packet::Ipv6Fields ipf;
    ipf.source = from.bytes();
    ipf.destination = to.bytes();
    ipf.next_header = s.protocol;
    ipf.hop_limit = s.ttl;
    ipf.traffic_class = s.tos;
    ipf.payload_length = static_cast<uint16_t>(l4.size());
    l3 = packet::write_ipv6_header(std::span<uint8_t>(f).subspan(l2), ipf);
  }
  std::copy(l4.begin(), l4.end(), f.begin() + static_cast<long>(l2 + l3));
  f.resize(l2 + l3 + l4.size());
  if (fill_checksum) {
    packet::ParsedPacket p = packet::parse_frame(std::span<const uint8_t>(f));
    packet::fill_l4_checksum(f, p);
  }
  return f;
}

inline Bytes frame(const FrameSpec& s) {
  return frame_around(s, transport_bytes(s));
}

// An ICMP (or ICMPv6) error from `s.source` to `s.destination` quoting `quoted`'s IP packet
// (Ethernet header skipped), `quote_bytes` of it at most.
inline Bytes icmp_error_frame(FrameSpec s, uint8_t type, uint8_t code, uint32_t rest,
                              const Bytes& quoted, size_t quote_bytes = 548) {
  const bool v4 = ip(s.source.c_str()).is_v4();
  s.protocol = v4 ? packet::ipproto::icmp : packet::ipproto::icmpv6;
  packet::ParsedPacket q = packet::parse_frame(std::span<const uint8_t>(quoted));
  const size_t take = std::min<size_t>(quote_bytes, q.l3_length);
  Bytes l4(8 + take);
  l4[0] = type;
  l4[1] = code;
  packet::store_be32(&l4[4], rest);
  std::copy_n(quoted.begin() + q.l3_offset, take, l4.begin() + 8);
  return frame_around(s, l4);
}

}  // namespace vsd::dataplane::testing

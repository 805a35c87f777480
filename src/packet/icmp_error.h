#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "packet/ipv6.h"
#include "packet/parsed_packet.h"

// ICMP and ICMPv6 errors about a packet the director cannot forward (fragmentation needed / packet
// too big, TTL exceeded, unreachable). The error goes back to the offending packet's source and
// quotes it from its IP header on. How much is quoted follows Linux, which quotes as much as fits
// in a 576-byte IPv4 datagram (icmp_send, RFC 1812 4.3.2.3) and in a 1280-byte IPv6 packet
// (icmp6_send, RFC 4443 2.4(c)): up to 548 and 1232 bytes, never past the offending packet's IP
// length (link padding is not quoted). RFC 792 asks only for the IP header + 8 bytes.
namespace vsd::packet {

inline constexpr size_t kIcmpErrorMaxIpv4 = 576;
inline constexpr size_t kIcmpErrorMaxIpv6 = 1280;

struct Icmpv4Error {
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t rest_of_header = 0;  // frag-needed: the next-hop MTU in the low 16 bits (RFC 1191)
  uint32_t source = 0;          // our address, host order
  uint8_t ttl = 64;
  uint16_t id = 0;
};
Icmpv4Error fragmentation_needed(uint32_t source, uint16_t next_hop_mtu);
Icmpv4Error time_exceeded(uint32_t source);
Icmpv4Error destination_unreachable(uint32_t source, uint8_t code);

struct Icmpv6Error {
  uint8_t type = 0;
  uint8_t code = 0;
  uint32_t rest_of_header = 0;  // packet too big: the MTU; parameter problem: the pointer
  Ipv6Bytes source{};
  uint8_t hop_limit = 64;
};
Icmpv6Error packet_too_big(const Ipv6Bytes& source, uint32_t mtu);
Icmpv6Error time_exceeded_v6(const Ipv6Bytes& source);
Icmpv6Error destination_unreachable_v6(const Ipv6Bytes& source, uint8_t code);

// RFC 1122 3.2.2 / RFC 4443 2.4(e): no error about an ICMP error, a non-first fragment, a packet
// sent to multicast or broadcast (IPv6 packet-too-big excepted), or one from an address that names
// no single host.
bool icmp_error_allowed(std::span<const uint8_t> frame, const ParsedPacket& offending,
                        uint8_t error_type);

// Writes IP header + ICMP header + quote into `out` (IP layer only: the caller adds the link
// header). TOS as Linux: the offending packet's TOS bits with precedence "internetwork control".
// Returns the length written, or 0 when the offending packet was not parsed whole as IPv4/IPv6
// or `out` cannot hold the IP header, ICMP header and 8 quoted bytes.
size_t build_icmpv4_error(std::span<uint8_t> out, std::span<const uint8_t> frame,
                          const ParsedPacket& offending, const Icmpv4Error& error);
size_t build_icmpv6_error(std::span<uint8_t> out, std::span<const uint8_t> frame,
                          const ParsedPacket& offending, const Icmpv6Error& error);

}  // namespace vsd::packet

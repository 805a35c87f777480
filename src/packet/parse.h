#pragma once

#include <cstdint>
#include <span>

#include "packet/parsed_packet.h"

namespace vsd::packet {

// Ethernet II frame, one 802.1Q or 802.1ad tag tolerated, then ARP / IPv4 / IPv6 and the
// TCP / UDP / ICMP / ICMPv6 header. Never reads outside `frame`; never allocates or throws.
ParsedPacket parse_frame(std::span<const uint8_t> frame);

// A bare IP packet (TUN devices, the inner packet of IPIP): the version nibble picks the family.
ParsedPacket parse_ip_packet(std::span<const uint8_t> packet);

// The packet quoted in an ICMP error (RFC 792: IP header + at least 8 bytes). Its IP length may
// exceed what was quoted; the upper-layer header needs only its first 8 bytes (ports, ICMP id).
ParsedPacket parse_quoted_packet(std::span<const uint8_t> quote);

}  // namespace vsd::packet

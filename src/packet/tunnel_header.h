#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "packet/ipv6.h"
#include "packet/parsed_packet.h"

// The outer header of IPVS's tunnelling method (ip_vs_tunnel_xmit, ip_vs_tunnel_xmit_v6): the
// inner packet goes unchanged behind an IPv4 header (protocol 4 for IPv4 inside, 41 for IPv6) or
// an IPv6 header (next header 4 or 41). As IPVS does, the outer header copies the inner DSCP/ECN
// byte and TTL/hop limit, and DF from an IPv4 inner packet (an IPv6 inner one never has it).
// Each returns the bytes written (20 or 40), or 0 when `out` is too small, `inner` was not parsed
// as an IP packet, or the result would exceed 65535 bytes.
namespace vsd::packet {

// `frame`/`inner` describe the packet to encapsulate (its IP part, l3_offset..l3_end).
size_t write_ipip_header(std::span<uint8_t> out, std::span<const uint8_t> frame,
                         const ParsedPacket& inner, uint32_t source, uint32_t destination,
                         uint16_t id);
size_t write_ip6_tunnel_header(std::span<uint8_t> out, std::span<const uint8_t> frame,
                               const ParsedPacket& inner, const Ipv6Bytes& source,
                               const Ipv6Bytes& destination);

}  // namespace vsd::packet

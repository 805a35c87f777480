#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "packet/parsed_packet.h"

namespace vsd::packet {

// Full computation and verification of upper-layer checksums of one parsed packet: TCP and UDP
// (with their pseudo-header), ICMP (none), ICMPv6 (with one). They cover a whole datagram, so a
// fragment or a quoted packet cannot be checked.
// Not handled: an IPv6 routing header with segments left, whose pseudo-header destination is the
// final one rather than the header's (RFC 8200 8.1).

// The checksum the packet should carry (its own checksum field taken as zero); for UDP a result
// of zero is returned as 0xffff (RFC 768). nullopt when it cannot be computed.
std::optional<uint16_t> compute_l4_checksum(std::span<const uint8_t> frame, const ParsedPacket& p);

enum class ChecksumCheck : uint8_t {
  good,
  bad,
  absent,         // UDP over IPv4 with checksum 0: the sender computed none
  not_checkable,  // fragment, quoted packet, or a protocol without a checksum we know
};
ChecksumCheck verify_l4_checksum(std::span<const uint8_t> frame, const ParsedPacket& p);

// Writes compute_l4_checksum's result into the packet; false if it could not.
bool fill_l4_checksum(std::span<uint8_t> frame, const ParsedPacket& p);

bool ipv4_header_checksum_ok(std::span<const uint8_t> frame, const ParsedPacket& p);

// Lab-notes trap 3, Linux's CHECKSUM_PARTIAL (skb_checksum_help): the sender left the
// pseudo-header sum in the checksum field and expects the NIC to sum from csum_start to the end
// and store the result at csum_start + csum_offset. Offsets as in virtio_net_hdr (PACKET_VNET_HDR),
// counted from the start of `bytes`; `end` is where the packet ends (link padding excluded).
// False, touching nothing, when the offsets do not fit.
bool finish_partial_checksum(std::span<uint8_t> bytes, size_t csum_start, size_t csum_offset,
                             size_t end);

// The same for a frame received with TP_STATUS_CSUMNOTREADY and no vnet header: start and
// offset follow from the parsed TCP or UDP header.
bool finish_partial_l4_checksum(std::span<uint8_t> frame, const ParsedPacket& p);

}  // namespace vsd::packet

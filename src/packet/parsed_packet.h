#pragma once

#include <cstdint>
#include <string_view>

namespace vsd::packet {

// What the parser found wrong. Every frame gets exactly one status; `ok` frames may still carry an
// unknown ethertype or upper protocol (then the matching layer is `none` / has no header).
enum class ParseStatus : uint8_t {
  ok,
  truncated_ethernet,          // shorter than the Ethernet header or its 802.1Q tag
  truncated_arp,               // ARP body shorter than 28 bytes
  unsupported_arp,             // ARP for something other than Ethernet/IPv4
  truncated_ip_header,         // shorter than the fixed IP header, or than IPv4's IHL*4
  truncated_ip_payload,        // IPv4 total length / IPv6 payload length beyond the frame
  bad_ip_version,              // version nibble disagrees with the ethertype
  bad_ihl,                     // IPv4 IHL below 5
  bad_ip_total_length,         // IPv4 total length below the header length
  bad_ipv4_options,            // an option length of 0/1 or running past the header
  bad_fragment,                // IPv4 fragment offset + length beyond 65535 ("ping of death")
  truncated_extension_header,  // IPv6 extension header chain runs past the payload
  misplaced_hop_by_hop,        // IPv6 hop-by-hop options not directly after the header
  too_many_extension_headers,  // more than kMaxIpv6ExtensionHeaders in one chain
  truncated_l4,                // IP payload shorter than the TCP/UDP/ICMP header
  bad_tcp_data_offset,         // TCP data offset below 5 or past the segment
  bad_udp_length,              // UDP length below 8 or above the IP payload
};

std::string_view to_string(ParseStatus status);

// True for the statuses that mean "the frame ends too early".
constexpr bool is_truncation(ParseStatus s) {
  return s == ParseStatus::truncated_ethernet || s == ParseStatus::truncated_arp ||
         s == ParseStatus::truncated_ip_header || s == ParseStatus::truncated_ip_payload ||
         s == ParseStatus::truncated_extension_header || s == ParseStatus::truncated_l4;
}

// Linux walks the chain without a limit; each header costs at least 8 bytes, so a 64 KB packet
// could make one parse loop 8000 times. Real traffic carries two or three.
inline constexpr unsigned kMaxIpv6ExtensionHeaders = 16;

enum class Layer3 : uint8_t { none, arp, ipv4, ipv6 };

struct FragmentInfo {
  bool has_fragment_header = false;  // IPv6: a fragment header was present (atomic ones too)
  bool more_fragments = false;
  bool dont_fragment = false;  // IPv4 DF
  uint16_t offset_bytes = 0;   // fragment offset, already multiplied by 8
  uint32_t id = 0;             // IPv4 identification (16 bits) or IPv6 fragment id

  // A fragment of a larger datagram (an IPv6 atomic fragment, offset 0 and M=0, is not).
  bool is_fragment() const { return more_fragments || offset_bytes != 0; }
  // Only the first fragment carries the upper-layer header (ports).
  bool is_first() const { return offset_bytes == 0; }
};

// Offsets and lengths of one frame's headers, all checked against the frame's size: a field a
// view reads through these offsets lies inside the frame. Offsets count from the start of the
// bytes handed to the parser.
struct ParsedPacket {
  ParseStatus status = ParseStatus::ok;
  Layer3 l3 = Layer3::none;
  bool has_vlan = false;
  bool l3_header_present = false;  // the fixed IP header (IPv4: with options) is inside the frame
  bool l4_header_present = false;  // the TCP/UDP/ICMP header below is inside the frame
  bool quoted = false;             // parsed as the packet quoted inside an ICMP error
  uint8_t l4_protocol = 0;         // IPv4 protocol, or the IPv6 next header ending the walk
  uint8_t ipv6_extension_count = 0;
  uint16_t vlan_tci = 0;
  uint16_t ethertype = 0;  // after the VLAN tag
  uint32_t frame_length = 0;
  uint32_t l3_offset = 0;
  uint32_t l3_length = 0;         // IP total length (link padding excluded); 28 for ARP
  uint32_t l3_header_length = 0;  // IPv4 IHL*4; IPv6 40 + extension headers
  uint32_t ipv4_options_length = 0;
  uint32_t l4_offset = 0;
  uint32_t l4_length = 0;         // upper-layer bytes the IP length announces
  uint32_t l4_header_length = 0;  // TCP data offset*4, 8 for UDP/ICMP, 8 for a quoted header
  FragmentInfo fragment;

  bool ok() const { return status == ParseStatus::ok; }
  bool is_ip() const { return l3 == Layer3::ipv4 || l3 == Layer3::ipv6; }
  uint32_t l3_end() const { return l3_offset + l3_length; }
};

}  // namespace vsd::packet

#include "packet/byte_order.h"
#include "packet/numbers.h"
#include "packet/parse_steps.h"

namespace vsd::packet::detail {
namespace {

constexpr size_t kIpv6Header = 40;
constexpr size_t kFragmentHeader = 8;

}  // namespace

// The extension headers walked are Linux's ipv6_ext_hdr() set: hop-by-hop, routing, fragment,
// destination options, AH (and no-next-header, which ends the packet). ESP ends the walk: what
// follows is encrypted. A non-first fragment ends it too: its payload continues an upper-layer
// header that is not there.
void parse_ipv6(const uint8_t* data, size_t size, ParsedPacket& p, ParseMode mode) {
  p.l3 = Layer3::ipv6;
  const size_t available = size - p.l3_offset;
  const uint8_t* ip = data + p.l3_offset;
  if (available < kIpv6Header) {
    p.status = ParseStatus::truncated_ip_header;
    return;
  }
  if ((ip[0] >> 4) != 6) {
    p.status = ParseStatus::bad_ip_version;
    return;
  }
  p.l3_header_present = true;
  const uint32_t total_length = kIpv6Header + load_be16(ip + 4);
  if (total_length > available) {
    if (mode == ParseMode::full) {
      p.status = ParseStatus::truncated_ip_payload;
      return;
    }
    p.l3_length = static_cast<uint32_t>(available);
  } else {
    p.l3_length = total_length;
  }

  const uint32_t end = p.l3_offset + p.l3_length;
  uint32_t cursor = p.l3_offset + static_cast<uint32_t>(kIpv6Header);
  uint8_t next = ip[6];
  bool walking = true;
  while (walking) {
    uint32_t header_length = 0;
    switch (next) {
      case ipproto::hop_by_hop:
      case ipproto::routing:
      case ipproto::destination_options:
      case ipproto::ah:
        if (next == ipproto::hop_by_hop && p.ipv6_extension_count != 0) {
          p.status =
              ParseStatus::misplaced_hop_by_hop;  // RFC 8200 4.1: only right after the header
          return;
        }
        if (end - cursor < 2) {
          p.status = ParseStatus::truncated_extension_header;
          return;
        }
        header_length = next == ipproto::ah
                            ? (data[cursor + 1] + 2u) * 4u  // RFC 4302: 32-bit words
                            : (data[cursor + 1] + 1u) * 8u;
        break;
      case ipproto::fragment: {
        if (end - cursor < kFragmentHeader) {
          p.status = ParseStatus::truncated_extension_header;
          return;
        }
        const uint16_t offset_flags = load_be16(data + cursor + 2);
        p.fragment.has_fragment_header = true;
        p.fragment.offset_bytes = static_cast<uint16_t>(offset_flags & 0xfff8u);
        p.fragment.more_fragments = (offset_flags & 1u) != 0;
        p.fragment.id = load_be32(data + cursor + 4);
        header_length = kFragmentHeader;
        break;
      }
      default:
        walking = false;  // an upper-layer protocol, ESP or no-next-header
        continue;
    }
    if (end - cursor < header_length) {
      p.status = ParseStatus::truncated_extension_header;
      return;
    }
    next = data[cursor];
    cursor += header_length;
    if (++p.ipv6_extension_count > kMaxIpv6ExtensionHeaders) {
      p.status = ParseStatus::too_many_extension_headers;
      return;
    }
    if (!p.fragment.is_first()) walking = false;
  }

  p.l4_protocol = next;
  p.l4_offset = cursor;
  p.l3_header_length = cursor - p.l3_offset;
  p.l4_length = end - cursor;
  if (p.fragment.is_first()) parse_l4(data, size, p, mode);
}

}  // namespace vsd::packet::detail

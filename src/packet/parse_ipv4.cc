#include "packet/byte_order.h"
#include "packet/ipv4_options.h"
#include "packet/parse_steps.h"

namespace vsd::packet::detail {
namespace {

constexpr uint32_t kIpv4MinHeader = 20;
constexpr uint16_t kDontFragment = 0x4000;
constexpr uint16_t kMoreFragments = 0x2000;
constexpr uint16_t kOffsetMask = 0x1fff;
constexpr uint32_t kMaxDatagram = 65535;

}  // namespace

void parse_ipv4(const uint8_t* data, size_t size, ParsedPacket& p, ParseMode mode) {
  p.l3 = Layer3::ipv4;
  const size_t available = size - p.l3_offset;
  const uint8_t* ip = data + p.l3_offset;
  if (available < kIpv4MinHeader) {
    p.status = ParseStatus::truncated_ip_header;
    return;
  }
  if ((ip[0] >> 4) != 4) {
    p.status = ParseStatus::bad_ip_version;
    return;
  }
  const uint32_t header_length = (ip[0] & 0x0fu) * 4u;
  if (header_length < kIpv4MinHeader) {
    p.status = ParseStatus::bad_ihl;
    return;
  }
  if (header_length > available) {
    p.status = ParseStatus::truncated_ip_header;
    return;
  }
  p.l3_header_present = true;
  const uint32_t total_length = load_be16(ip + 2);
  if (total_length < header_length) {
    p.status = ParseStatus::bad_ip_total_length;
    return;
  }
  if (total_length > available) {
    if (mode == ParseMode::full) {
      p.status = ParseStatus::truncated_ip_payload;
      return;
    }
    p.l3_length = static_cast<uint32_t>(available);  // a quote ends early by design
  } else {
    p.l3_length = total_length;
  }
  p.l3_header_length = header_length;
  p.ipv4_options_length = header_length - kIpv4MinHeader;
  if (p.ipv4_options_length != 0 &&
      !ipv4_options_well_formed({ip + kIpv4MinHeader, p.ipv4_options_length})) {
    p.status = ParseStatus::bad_ipv4_options;
    return;
  }

  const uint16_t flags_offset = load_be16(ip + 6);
  p.fragment.dont_fragment = (flags_offset & kDontFragment) != 0;
  p.fragment.more_fragments = (flags_offset & kMoreFragments) != 0;
  p.fragment.offset_bytes = static_cast<uint16_t>((flags_offset & kOffsetMask) * 8u);
  p.fragment.id = load_be16(ip + 4);
  if (mode == ParseMode::full &&
      p.fragment.offset_bytes + (total_length - header_length) > kMaxDatagram) {
    p.status = ParseStatus::bad_fragment;
    return;
  }

  p.l4_protocol = ip[9];
  p.l4_offset = p.l3_offset + header_length;
  p.l4_length = p.l3_length - header_length;
  if (p.fragment.is_first()) parse_l4(data, size, p, mode);
}

}  // namespace vsd::packet::detail

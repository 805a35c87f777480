#include "packet/byte_order.h"
#include "packet/numbers.h"
#include "packet/parse_steps.h"

namespace vsd::packet::detail {
namespace {

constexpr uint32_t kTcpMinHeader = 20;
constexpr uint32_t kUdpHeader = 8;
constexpr uint32_t kIcmpHeader = 8;
// RFC 792 guarantees 8 bytes of the original datagram: ports (and TCP's sequence number).
constexpr uint32_t kQuotedHeader = 8;

uint32_t minimum_header(uint8_t protocol, Layer3 l3) {
  switch (protocol) {
    case ipproto::tcp:
      return kTcpMinHeader;
    case ipproto::udp:
      return kUdpHeader;
    case ipproto::icmp:
      return l3 == Layer3::ipv4 ? kIcmpHeader : 0;
    case ipproto::icmpv6:
      return l3 == Layer3::ipv6 ? kIcmpHeader : 0;
    default:
      return 0;
  }
}

}  // namespace

void parse_l4(const uint8_t* data, size_t, ParsedPacket& p, ParseMode mode) {
  const uint32_t minimum = minimum_header(p.l4_protocol, p.l3);
  if (minimum == 0) return;  // a protocol without a header we read: the caller sees l4_protocol
  // l4_length already lies within the frame (the IP layer checked l3_length against it).
  if (mode == ParseMode::quoted) {
    if (p.l4_length < kQuotedHeader) {
      p.status = ParseStatus::truncated_l4;
      return;
    }
    p.l4_header_length = kQuotedHeader;
    p.l4_header_present = true;
    return;
  }
  if (p.l4_length < minimum) {
    p.status = ParseStatus::truncated_l4;
    return;
  }
  const uint8_t* l4 = data + p.l4_offset;
  uint32_t header_length = minimum;
  if (p.fragment.is_fragment()) {
    // The first fragment of a larger datagram: TCP's data offset and UDP's length describe the
    // reassembled datagram, which only reassembly can check.
  } else if (p.l4_protocol == ipproto::tcp) {
    header_length = (l4[12] >> 4) * 4u;
    if (header_length < kTcpMinHeader || header_length > p.l4_length) {
      p.status = ParseStatus::bad_tcp_data_offset;
      return;
    }
  } else if (p.l4_protocol == ipproto::udp) {
    const uint32_t udp_length = load_be16(l4 + 4);
    if (udp_length < kUdpHeader || udp_length > p.l4_length) {
      p.status = ParseStatus::bad_udp_length;
      return;
    }
  }
  p.l4_header_length = header_length;
  p.l4_header_present = true;
}

}  // namespace vsd::packet::detail

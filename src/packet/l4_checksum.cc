#include "packet/l4_checksum.h"

#include "packet/byte_order.h"
#include "packet/checksum.h"
#include "packet/icmp.h"
#include "packet/ipv4.h"
#include "packet/ipv6.h"
#include "packet/numbers.h"
#include "packet/tcp.h"
#include "packet/udp.h"

namespace vsd::packet {
namespace {

struct Coverage {
  uint32_t length = 0;           // bytes the checksum covers from l4_offset
  uint32_t checksum_offset = 0;  // of the checksum field within the L4 header
  bool pseudo_header = true;
};

std::optional<Coverage> coverage(std::span<const uint8_t> frame, const ParsedPacket& p) {
  if (!p.ok() || p.quoted || !p.l4_header_present || p.fragment.is_fragment()) return std::nullopt;
  switch (p.l4_protocol) {
    case ipproto::tcp:
      return Coverage{p.l4_length, TcpHeader<const uint8_t>::kChecksumOffset};
    case ipproto::udp:
      // The UDP length, not the IP payload: bytes past it are not part of the datagram.
      return Coverage{load_be16(frame.data() + p.l4_offset + 4),
                      UdpHeader<const uint8_t>::kChecksumOffset};
    case ipproto::icmp:
      if (p.l3 != Layer3::ipv4) return std::nullopt;
      return Coverage{p.l4_length, IcmpHeader<const uint8_t>::kChecksumOffset, false};
    case ipproto::icmpv6:
      if (p.l3 != Layer3::ipv6) return std::nullopt;
      return Coverage{p.l4_length, IcmpHeader<const uint8_t>::kChecksumOffset};
    default:
      return std::nullopt;
  }
}

uint16_t pseudo_header(std::span<const uint8_t> frame, const ParsedPacket& p, uint32_t length) {
  const uint8_t* ip = frame.data() + p.l3_offset;
  if (p.l3 == Layer3::ipv4) {
    return pseudo_header_sum_v4(load_be32(ip + 12), load_be32(ip + 16), p.l4_protocol, length);
  }
  return pseudo_header_sum_v6(ip + 8, ip + 24, length, p.l4_protocol);
}

// Sum of the covered bytes with the checksum field itself skipped, plus the pseudo-header.
uint16_t sum_without_field(std::span<const uint8_t> frame, const ParsedPacket& p,
                           const Coverage& c) {
  const uint8_t* l4 = frame.data() + p.l4_offset;
  uint16_t sum = c.pseudo_header ? pseudo_header(frame, p, c.length) : 0;
  sum = checksum_accumulate({l4, c.checksum_offset}, sum);
  const uint32_t after = c.checksum_offset + 2;
  return checksum_accumulate({l4 + after, c.length - after}, sum);
}

}  // namespace

std::optional<uint16_t> compute_l4_checksum(std::span<const uint8_t> frame, const ParsedPacket& p) {
  auto c = coverage(frame, p);
  if (!c) return std::nullopt;
  uint16_t checksum = checksum_finish(sum_without_field(frame, p, *c));
  if (p.l4_protocol == ipproto::udp && checksum == 0) checksum = 0xffff;
  return checksum;
}

ChecksumCheck verify_l4_checksum(std::span<const uint8_t> frame, const ParsedPacket& p) {
  auto c = coverage(frame, p);
  if (!c) return ChecksumCheck::not_checkable;
  const uint16_t stored = load_be16(frame.data() + p.l4_offset + c->checksum_offset);
  if (p.l4_protocol == ipproto::udp && stored == 0) {
    return p.l3 == Layer3::ipv4 ? ChecksumCheck::absent : ChecksumCheck::bad;  // RFC 8200 8.1
  }
  // The receiver's test: everything, stored checksum included, sums to all ones.
  const uint16_t total = checksum_fold(uint64_t{sum_without_field(frame, p, *c)} + stored);
  return total == 0xffff ? ChecksumCheck::good : ChecksumCheck::bad;
}

bool fill_l4_checksum(std::span<uint8_t> frame, const ParsedPacket& p) {
  auto checksum = compute_l4_checksum(frame, p);
  if (!checksum) return false;
  store_be16(frame.data() + p.l4_offset + coverage(frame, p)->checksum_offset, *checksum);
  return true;
}

bool ipv4_header_checksum_ok(std::span<const uint8_t> frame, const ParsedPacket& p) {
  auto ip = ipv4_header(frame, p);
  return ip && ip->checksum_ok();
}

bool finish_partial_checksum(std::span<uint8_t> bytes, size_t csum_start, size_t csum_offset,
                             size_t end) {
  if (end > bytes.size() || csum_start > end || csum_offset > end - csum_start ||
      end - csum_start - csum_offset < 2) {
    return false;
  }
  uint16_t checksum =
      checksum_finish(checksum_accumulate(bytes.subspan(csum_start, end - csum_start)));
  if (checksum == 0) checksum = 0xffff;  // as skb_checksum_help (CSUM_MANGLED_0)
  store_be16(bytes.data() + csum_start + csum_offset, checksum);
  return true;
}

bool finish_partial_l4_checksum(std::span<uint8_t> frame, const ParsedPacket& p) {
  if (!p.ok() || p.quoted || !p.l4_header_present) return false;
  size_t offset = 0;
  if (p.l4_protocol == ipproto::tcp) {
    offset = TcpHeader<uint8_t>::kChecksumOffset;
  } else if (p.l4_protocol == ipproto::udp) {
    offset = UdpHeader<uint8_t>::kChecksumOffset;
  } else {
    return false;
  }
  return finish_partial_checksum(frame, p.l4_offset, offset, p.l3_end());
}

}  // namespace vsd::packet

#include "packet/icmp_error.h"

#include <algorithm>
#include <cstring>

#include "packet/byte_order.h"
#include "packet/checksum.h"
#include "packet/ethernet.h"
#include "packet/header_writers.h"
#include "packet/icmp.h"
#include "packet/ipv4.h"
#include "packet/numbers.h"

namespace vsd::packet {
namespace {

constexpr size_t kIpv4Header = 20;
constexpr size_t kIpv6Header = 40;
constexpr size_t kIcmpHeader = 8;
constexpr size_t kMinimumQuote = 8;                // beyond the quoted IP header (RFC 792)
constexpr uint8_t kTosMask = 0x1e;                 // IPTOS_TOS_MASK
constexpr uint8_t kPrecedenceInternetwork = 0xc0;  // IPTOS_PREC_INTERNETCONTROL

// How many bytes of the offending IP packet to quote into `room` bytes; 0 if too few fit.
size_t quote_length(const ParsedPacket& p, size_t room) {
  const size_t minimum = size_t{p.l3_header_length} + kMinimumQuote;
  const size_t quote = std::min<size_t>(p.l3_length, room);
  return quote < std::min<size_t>(minimum, p.l3_length) ? 0 : quote;
}

void write_icmp_header(uint8_t* at, uint8_t type, uint8_t code, uint32_t rest) {
  at[0] = type;
  at[1] = code;
  store_be16(at + 2, 0);
  store_be32(at + 4, rest);
}

bool is_ipv4_host_address(uint32_t a) {
  const uint32_t first = a >> 24;
  return a != 0 && first != 127 && first < 224;  // not unspecified, loopback, multicast, class E
}

bool is_ipv6_multicast(const uint8_t* a) {
  return a[0] == 0xff;
}

bool is_ipv6_unspecified(const uint8_t* a) {
  return std::all_of(a, a + 16, [](uint8_t b) { return b == 0; });
}

}  // namespace

Icmpv4Error fragmentation_needed(uint32_t source, uint16_t next_hop_mtu) {
  return {icmp_type::destination_unreachable, icmp_code::fragmentation_needed, next_hop_mtu,
          source};
}

Icmpv4Error time_exceeded(uint32_t source) {
  return {icmp_type::time_exceeded, icmp_code::ttl_exceeded_in_transit, 0, source};
}

Icmpv4Error destination_unreachable(uint32_t source, uint8_t code) {
  return {icmp_type::destination_unreachable, code, 0, source};
}

Icmpv6Error packet_too_big(const Ipv6Bytes& source, uint32_t mtu) {
  return {icmpv6_type::packet_too_big, 0, mtu, source};
}

Icmpv6Error time_exceeded_v6(const Ipv6Bytes& source) {
  return {icmpv6_type::time_exceeded, 0, 0, source};
}

Icmpv6Error destination_unreachable_v6(const Ipv6Bytes& source, uint8_t code) {
  return {icmpv6_type::destination_unreachable, code, 0, source};
}

bool icmp_error_allowed(std::span<const uint8_t> frame, const ParsedPacket& p, uint8_t error_type) {
  if (!p.ok() || !p.is_ip() || !p.fragment.is_first()) return false;
  if (auto icmp = icmp_header(frame, p); icmp && is_icmp_error(p.l3, icmp->type())) return false;
  const bool too_big = p.l3 == Layer3::ipv6 && error_type == icmpv6_type::packet_too_big;
  if (auto eth = ethernet_header(frame, p); eth && eth->destination().is_multicast() && !too_big) {
    return false;
  }
  if (auto v4 = ipv4_header(frame, p)) {
    return is_ipv4_host_address(v4->source()) && is_ipv4_host_address(v4->destination()) &&
           v4->destination() != 0xffffffffu;
  }
  auto v6 = ipv6_header(frame, p);
  if (!v6) return false;
  if (is_ipv6_multicast(v6->source_bytes()) || is_ipv6_unspecified(v6->source_bytes())) {
    return false;
  }
  return too_big || !is_ipv6_multicast(v6->destination_bytes());
}

size_t build_icmpv4_error(std::span<uint8_t> out, std::span<const uint8_t> frame,
                          const ParsedPacket& p, const Icmpv4Error& e) {
  auto offending = ipv4_header(frame, p);
  if (!p.ok() || !offending || out.size() < kIpv4Header + kIcmpHeader) return 0;
  const size_t room = std::min(out.size(), kIcmpErrorMaxIpv4) - kIpv4Header - kIcmpHeader;
  const size_t quote = quote_length(p, room);
  if (quote == 0) return 0;
  const size_t icmp_length = kIcmpHeader + quote;

  Ipv4Fields ip;
  ip.source = e.source;
  ip.destination = offending->source();
  ip.protocol = ipproto::icmp;
  ip.ttl = e.ttl;
  ip.tos = static_cast<uint8_t>((offending->tos() & kTosMask) | kPrecedenceInternetwork);
  ip.id = e.id;
  ip.payload_length = static_cast<uint16_t>(icmp_length);
  write_ipv4_header(out, ip);

  uint8_t* icmp = out.data() + kIpv4Header;
  write_icmp_header(icmp, e.type, e.code, e.rest_of_header);
  std::memcpy(icmp + kIcmpHeader, frame.data() + p.l3_offset, quote);
  store_be16(icmp + 2, internet_checksum({icmp, icmp_length}));
  return kIpv4Header + icmp_length;
}

size_t build_icmpv6_error(std::span<uint8_t> out, std::span<const uint8_t> frame,
                          const ParsedPacket& p, const Icmpv6Error& e) {
  auto offending = ipv6_header(frame, p);
  if (!p.ok() || !offending || out.size() < kIpv6Header + kIcmpHeader) return 0;
  const size_t room = std::min(out.size(), kIcmpErrorMaxIpv6) - kIpv6Header - kIcmpHeader;
  const size_t quote = quote_length(p, room);
  if (quote == 0) return 0;
  const size_t icmp_length = kIcmpHeader + quote;

  Ipv6Fields ip;
  ip.source = e.source;
  ip.destination = offending->source();
  ip.next_header = ipproto::icmpv6;
  ip.hop_limit = e.hop_limit;
  ip.payload_length = static_cast<uint16_t>(icmp_length);
  write_ipv6_header(out, ip);

  uint8_t* icmp = out.data() + kIpv6Header;
  write_icmp_header(icmp, e.type, e.code, e.rest_of_header);
  std::memcpy(icmp + kIcmpHeader, frame.data() + p.l3_offset, quote);
  uint16_t sum = pseudo_header_sum_v6(ip.source.data(), ip.destination.data(),
                                      static_cast<uint32_t>(icmp_length), ipproto::icmpv6);
  store_be16(icmp + 2, checksum_finish(checksum_accumulate({icmp, icmp_length}, sum)));
  return kIpv6Header + icmp_length;
}

}  // namespace vsd::packet

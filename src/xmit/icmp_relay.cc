#include "xmit/icmp_relay.h"

#include <cstring>

#include "packet/icmp.h"
#include "packet/ipv4.h"
#include "packet/ipv6.h"
#include "packet/l4_checksum.h"
#include "packet/l4_ports.h"
#include "packet/nat_rewrite.h"
#include "packet/parse.h"
#include "xmit/nat.h"

namespace vsd::xmit {
namespace {

IpAddress address_v6(const packet::Ipv6Bytes& bytes) {
  return IpAddress::v6(bytes);
}

}  // namespace

std::optional<IcmpQuote> find_icmp_quote(std::span<const uint8_t> frame,
                                         const packet::ParsedPacket& outer) {
  if (!outer.ok() || outer.fragment.is_fragment()) return std::nullopt;
  auto icmp = packet::icmp_header(frame, outer);
  if (!icmp || !packet::is_icmp_error(outer.l3, icmp->type())) return std::nullopt;
  const uint32_t offset = outer.l4_offset + packet::IcmpHeader<const uint8_t>::kSize;
  const uint32_t end = outer.l3_end();
  if (offset >= end || end > frame.size()) return std::nullopt;
  IcmpQuote quote;
  quote.offset = offset;
  quote.inner = packet::parse_quoted_packet(frame.subspan(offset, end - offset));
  const packet::ParsedPacket& in = quote.inner;
  // The quoted packet must be of the outer family (IPVS looks it up in the same family).
  if (!in.ok() || in.l3 != outer.l3 || !in.l4_header_present || !in.fragment.is_first())
    return std::nullopt;
  if (in.l4_protocol != packet::ipproto::tcp && in.l4_protocol != packet::ipproto::udp)
    return std::nullopt;
  return quote;
}

QuotedFlow quoted_flow(std::span<const uint8_t> frame, const IcmpQuote& quote) {
  const std::span<const uint8_t> bytes = frame.subspan(quote.offset);
  QuotedFlow flow;
  flow.protocol = quote.inner.l4_protocol;
  if (auto v4 = packet::ipv4_header(bytes, quote.inner)) {
    flow.source.address = IpAddress::v4(v4->source());
    flow.destination.address = IpAddress::v4(v4->destination());
  } else if (auto v6 = packet::ipv6_header(bytes, quote.inner)) {
    flow.source.address = address_v6(v6->source());
    flow.destination.address = address_v6(v6->destination());
  }
  if (auto ports = packet::l4_ports(bytes, quote.inner)) {
    flow.source.port = ports->source();
    flow.destination.port = ports->destination();
  }
  return flow;
}

bool rewrite_icmp_error(std::span<uint8_t> frame, const packet::ParsedPacket& outer,
                        const IcmpQuote& quote, const IcmpRewrite& rewrite) {
  constexpr auto kComplete = packet::L4ChecksumForm::complete;
  const std::span<uint8_t> inner = frame.subspan(quote.offset);
  bool ok = true;
  if (rewrite.quoted_source) {
    ok =
        ok && rewrite_source_address(inner, quote.inner, rewrite.quoted_source->address, kComplete);
    ok = ok && packet::rewrite_source_port(inner, quote.inner, rewrite.quoted_source->port);
  }
  if (rewrite.quoted_destination) {
    ok = ok && rewrite_destination_address(inner, quote.inner, rewrite.quoted_destination->address,
                                           kComplete);
    ok = ok &&
         packet::rewrite_destination_port(inner, quote.inner, rewrite.quoted_destination->port);
  }
  if (rewrite.outer_source)
    ok = ok && rewrite_source_address(frame, outer, *rewrite.outer_source, kComplete);
  if (rewrite.outer_destination)
    ok = ok && rewrite_destination_address(frame, outer, *rewrite.outer_destination, kComplete);
  // The quote changed under the ICMP checksum (and, for ICMPv6, the pseudo-header did too).
  return ok && packet::fill_l4_checksum(frame, outer);
}

}  // namespace vsd::xmit

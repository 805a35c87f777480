#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "common/address.h"
#include "packet/parsed_packet.h"

// ICMP errors about a packet of a connection (port unreachable, fragmentation needed, time
// exceeded, ...), as ip_vs_in_icmp / ip_vs_out_icmp / ip_vs_nat_icmp handle them: the quoted
// packet is rewritten the way its connection rewrites packets (addresses, ports, the quoted
// IPv4 header checksum; not the quoted L4 checksum, which the quote may not even hold), the outer
// header is pointed at the other side, and the ICMP checksum is computed again.
namespace vsd::xmit {

struct IcmpQuote {
  uint32_t offset = 0;  // where the quoted IP header starts in the frame
  packet::ParsedPacket inner;
};

// The quote of an ICMP or ICMPv6 error whose quoted packet is TCP or UDP with its ports, or
// nullopt (an informational message, a quote too short for the ports, a fragment).
std::optional<IcmpQuote> find_icmp_quote(std::span<const uint8_t> frame,
                                         const packet::ParsedPacket& outer);

// The quoted packet's addresses and ports in the connection's terms.
struct QuotedFlow {
  uint8_t protocol = 0;
  Endpoint source;
  Endpoint destination;
};
QuotedFlow quoted_flow(std::span<const uint8_t> frame, const IcmpQuote& quote);

struct IcmpRewrite {
  std::optional<IpAddress> outer_source;
  std::optional<IpAddress> outer_destination;
  std::optional<Endpoint> quoted_source;
  std::optional<Endpoint> quoted_destination;
};

// Applies `rewrite` and recomputes the ICMP checksum. False (the frame may be half rewritten:
// drop it) when a field cannot be written.
bool rewrite_icmp_error(std::span<uint8_t> frame, const packet::ParsedPacket& outer,
                        const IcmpQuote& quote, const IcmpRewrite& rewrite);

}  // namespace vsd::xmit

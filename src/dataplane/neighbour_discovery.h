#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "packet/ipv6.h"
#include "packet/mac_address.h"
#include "packet/parsed_packet.h"

// IPv6 Neighbor Discovery (RFC 4861) as the data plane needs it: a solicitation for a next hop
// it has no link address for, an advertisement answering a solicitation for a FULLNAT local
// address (no kernel owns those), and what an incoming solicitation or advertisement says.
namespace vsd::dataplane {

// Ethernet + IPv6 + ICMPv6 135 to the target's solicited-node multicast group, hop limit 255,
// with our link address as the source link-layer option. Returns the frame length, 0 if `out`
// is too small.
size_t build_neighbour_solicitation(std::span<uint8_t> out, const packet::MacAddress& mac,
                                    const packet::Ipv6Bytes& source,
                                    const packet::Ipv6Bytes& target);

// Ethernet + IPv6 + ICMPv6 136 from `target` (the address asked about) to the asker, flags
// solicited and override, with our link address as the target link-layer option.
size_t build_neighbour_advertisement(std::span<uint8_t> out, const packet::MacAddress& mac,
                                     const packet::Ipv6Bytes& target,
                                     const packet::MacAddress& asker_mac,
                                     const packet::Ipv6Bytes& asker);

struct NeighbourMessage {
  uint8_t type = 0;  // 135 solicitation, 136 advertisement
  packet::Ipv6Bytes target{};
  std::optional<packet::MacAddress> link_address;  // source (135) or target (136) option
};
// The solicitation or advertisement in a parsed frame (hop limit 255, code 0, as RFC 4861 7.1.1
// requires), or nullopt.
std::optional<NeighbourMessage> read_neighbour_message(std::span<const uint8_t> frame,
                                                       const packet::ParsedPacket& p);

}  // namespace vsd::dataplane

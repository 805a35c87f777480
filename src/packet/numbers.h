#pragma once

#include <cstdint>

// Protocol numbers the parser and builders use (IANA registries; Linux's if_ether.h, in.h,
// icmp.h, icmpv6.h carry the same values).
namespace vsd::packet {

namespace ethertype {
inline constexpr uint16_t ipv4 = 0x0800;
inline constexpr uint16_t arp = 0x0806;
inline constexpr uint16_t vlan = 0x8100;  // 802.1Q
inline constexpr uint16_t qinq = 0x88a8;  // 802.1ad service tag
inline constexpr uint16_t ipv6 = 0x86dd;
}  // namespace ethertype

namespace ipproto {
inline constexpr uint8_t hop_by_hop = 0;
inline constexpr uint8_t icmp = 1;
inline constexpr uint8_t ipip = 4;
inline constexpr uint8_t tcp = 6;
inline constexpr uint8_t udp = 17;
inline constexpr uint8_t ipv6 = 41;  // IPv6 encapsulated (6in4, ip6ip6)
inline constexpr uint8_t routing = 43;
inline constexpr uint8_t fragment = 44;
inline constexpr uint8_t gre = 47;
inline constexpr uint8_t esp = 50;
inline constexpr uint8_t ah = 51;
inline constexpr uint8_t icmpv6 = 58;
inline constexpr uint8_t no_next_header = 59;
inline constexpr uint8_t destination_options = 60;
inline constexpr uint8_t sctp = 132;
}  // namespace ipproto

namespace icmp_type {
inline constexpr uint8_t echo_reply = 0;
inline constexpr uint8_t destination_unreachable = 3;
inline constexpr uint8_t source_quench = 4;
inline constexpr uint8_t redirect = 5;
inline constexpr uint8_t echo_request = 8;
inline constexpr uint8_t time_exceeded = 11;
inline constexpr uint8_t parameter_problem = 12;
}  // namespace icmp_type

namespace icmp_code {
inline constexpr uint8_t net_unreachable = 0;
inline constexpr uint8_t host_unreachable = 1;
inline constexpr uint8_t protocol_unreachable = 2;
inline constexpr uint8_t port_unreachable = 3;
inline constexpr uint8_t fragmentation_needed = 4;
inline constexpr uint8_t ttl_exceeded_in_transit = 0;
}  // namespace icmp_code

namespace icmpv6_type {
inline constexpr uint8_t destination_unreachable = 1;
inline constexpr uint8_t packet_too_big = 2;
inline constexpr uint8_t time_exceeded = 3;
inline constexpr uint8_t parameter_problem = 4;
inline constexpr uint8_t echo_request = 128;
inline constexpr uint8_t echo_reply = 129;
inline constexpr uint8_t neighbor_solicitation = 135;
inline constexpr uint8_t neighbor_advertisement = 136;
}  // namespace icmpv6_type

namespace arp_op {
inline constexpr uint16_t request = 1;
inline constexpr uint16_t reply = 2;
}  // namespace arp_op

}  // namespace vsd::packet

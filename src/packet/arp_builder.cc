#include "packet/arp_builder.h"

#include "packet/byte_order.h"
#include "packet/header_writers.h"
#include "packet/numbers.h"

namespace vsd::packet {

size_t build_arp_frame(std::span<uint8_t> out, const MacAddress& ethernet_destination,
                       const ArpFields& arp, std::optional<uint16_t> vlan_tci) {
  constexpr size_t kArp = 28;
  const size_t l2 = vlan_tci ? 18 : 14;
  if (out.size() < l2 + kArp) return 0;
  write_ethernet_header(out, ethernet_destination, arp.sender_mac, ethertype::arp, vlan_tci);
  uint8_t* p = out.data() + l2;
  store_be16(p, 1);  // Ethernet
  store_be16(p + 2, ethertype::ipv4);
  p[4] = 6;
  p[5] = 4;
  store_be16(p + 6, arp.operation);
  arp.sender_mac.store(p + 8);
  store_be32(p + 14, arp.sender_ip);
  arp.target_mac.store(p + 18);
  store_be32(p + 24, arp.target_ip);
  return l2 + kArp;
}

size_t build_gratuitous_arp(std::span<uint8_t> out, const MacAddress& mac, uint32_t ip,
                            std::optional<uint16_t> vlan_tci) {
  return build_arp_frame(out, MacAddress::broadcast(),
                         {arp_op::request, mac, ip, MacAddress::broadcast(), ip}, vlan_tci);
}

}  // namespace vsd::packet

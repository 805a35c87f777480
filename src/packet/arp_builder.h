#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "packet/mac_address.h"

// Ethernet/IPv4 ARP frames (RFC 826): 42 bytes, 46 with a VLAN tag; the NIC or
// the kernel pads them to the 60-byte minimum. Addresses in host order.
namespace vsd::packet {

struct ArpFields {
  uint16_t operation = 0;  // arp_op::request or arp_op::reply
  MacAddress sender_mac;
  uint32_t sender_ip = 0;
  MacAddress target_mac;
  uint32_t target_ip = 0;
};

// Returns the frame length, or 0 when `out` is too small.
size_t build_arp_frame(std::span<uint8_t> out, const MacAddress& ethernet_destination,
                       const ArpFields& arp, std::optional<uint16_t> vlan_tci = std::nullopt);

// The gratuitous ARP keepalived sends when it takes a virtual address over (vrrp_arp.c): a
// broadcast request naming the address as both sender and target, target hardware address
// ff:ff:ff:ff:ff:ff.
size_t build_gratuitous_arp(std::span<uint8_t> out, const MacAddress& mac, uint32_t ip,
                            std::optional<uint16_t> vlan_tci = std::nullopt);

}  // namespace vsd::packet

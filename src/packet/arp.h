#pragma once

#include <optional>
#include <span>

#include "packet/header_view.h"
#include "packet/mac_address.h"
#include "packet/parsed_packet.h"

namespace vsd::packet {

// An Ethernet/IPv4 ARP body (RFC 826); addresses in host order.
template <FrameByte B>
class ArpPacket : public HeaderView<B> {
  using Base = HeaderView<B>;

 public:
  static constexpr size_t kSize = 28;
  using Base::Base;

  uint16_t operation() const { return this->u16(6); }
  MacAddress sender_mac() const { return MacAddress::from(this->p_ + 8); }
  uint32_t sender_ip() const { return this->u32(14); }
  MacAddress target_mac() const { return MacAddress::from(this->p_ + 18); }
  uint32_t target_ip() const { return this->u32(24); }
  // RFC 5227: an announcement or a gratuitous reply names the same address twice.
  bool is_gratuitous() const { return sender_ip() == target_ip(); }
};

template <FrameByte B>
std::optional<ArpPacket<B>> arp_packet(std::span<B> frame, const ParsedPacket& p) {
  if (p.l3 != Layer3::arp || !p.ok() || frame.size() < p.l3_offset + ArpPacket<B>::kSize) {
    return std::nullopt;
  }
  return ArpPacket<B>(frame.data() + p.l3_offset);
}

}  // namespace vsd::packet

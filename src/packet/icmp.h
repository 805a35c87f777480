#pragma once

#include <optional>
#include <span>

#include "packet/header_view.h"
#include "packet/numbers.h"
#include "packet/parsed_packet.h"

namespace vsd::packet {

// ICMP (RFC 792) and ICMPv6 (RFC 4443) share this 8-byte layout: type, code, checksum and four
// bytes whose meaning depends on the type (echo id/sequence, next-hop MTU, pointer).
template <FrameByte B>
class IcmpHeader : public HeaderView<B> {
  using Base = HeaderView<B>;

 public:
  static constexpr size_t kSize = 8;
  static constexpr size_t kChecksumOffset = 2;
  using Base::Base;

  uint8_t type() const { return this->p_[0]; }
  uint8_t code() const { return this->p_[1]; }
  uint16_t checksum() const { return this->u16(2); }
  uint32_t rest_of_header() const { return this->u32(4); }
  uint16_t echo_id() const { return this->u16(4); }
  uint16_t echo_sequence() const { return this->u16(6); }
  uint16_t next_hop_mtu() const { return this->u16(6); }        // ICMP frag-needed (RFC 1191)
  uint32_t packet_too_big_mtu() const { return this->u32(4); }  // ICMPv6 type 2

  void set_echo_id(uint16_t v) const requires Base::kWritable { this->put16(4, v); }
  void set_checksum(uint16_t v) const requires Base::kWritable { this->put16(2, v); }
};

// The ICMP header of an IPv4 packet or the ICMPv6 header of an IPv6 packet.
template <FrameByte B>
std::optional<IcmpHeader<B>> icmp_header(std::span<B> frame, const ParsedPacket& p) {
  const bool icmp = (p.l3 == Layer3::ipv4 && p.l4_protocol == ipproto::icmp) ||
                    (p.l3 == Layer3::ipv6 && p.l4_protocol == ipproto::icmpv6);
  if (!icmp || !p.l4_header_present || frame.size() < size_t{p.l4_offset} + IcmpHeader<B>::kSize) {
    return std::nullopt;
  }
  return IcmpHeader<B>(frame.data() + p.l4_offset);
}

// An ICMP error (not an informational message): what IPVS relays for a connection.
constexpr bool is_icmp_error(Layer3 family, uint8_t type) {
  if (family == Layer3::ipv4) {
    return type == icmp_type::destination_unreachable || type == icmp_type::source_quench ||
           type == icmp_type::redirect || type == icmp_type::time_exceeded ||
           type == icmp_type::parameter_problem;
  }
  return type < 128;  // RFC 4443 2.1: types 0-127 are errors
}

}  // namespace vsd::packet

#pragma once

#include <array>
#include <cstring>
#include <optional>
#include <span>

#include "packet/header_view.h"
#include "packet/parsed_packet.h"

namespace vsd::packet {

using Ipv6Bytes = std::array<uint8_t, 16>;

// IPv6 fixed header (RFC 8200); addresses as 16 network-order bytes.
template <FrameByte B>
class Ipv6Header : public HeaderView<B> {
  using Base = HeaderView<B>;

 public:
  static constexpr size_t kSize = 40;
  using Base::Base;

  uint8_t version() const { return this->p_[0] >> 4; }
  uint8_t traffic_class() const { return static_cast<uint8_t>((this->u16(0) >> 4) & 0xff); }
  uint32_t flow_label() const { return this->u32(0) & 0xfffffu; }
  uint16_t payload_length() const { return this->u16(4); }
  uint8_t next_header() const { return this->p_[6]; }
  uint8_t hop_limit() const { return this->p_[7]; }
  B* source_bytes() const { return this->p_ + 8; }
  B* destination_bytes() const { return this->p_ + 24; }
  Ipv6Bytes source() const { return copy(source_bytes()); }
  Ipv6Bytes destination() const { return copy(destination_bytes()); }

  void set_traffic_class(uint8_t v) const requires Base::kWritable {
    this->put32(0, (this->u32(0) & 0xf00fffffu) | (uint32_t{v} << 20));
  }
  void set_payload_length(uint16_t v) const requires Base::kWritable { this->put16(4, v); }
  void set_hop_limit(uint8_t v) const requires Base::kWritable { this->p_[7] = v; }
  void set_source(const Ipv6Bytes& a) const requires Base::kWritable {
    std::memcpy(source_bytes(), a.data(), 16);
  }
  void set_destination(const Ipv6Bytes& a) const requires Base::kWritable {
    std::memcpy(destination_bytes(), a.data(), 16);
  }

 private:
  static Ipv6Bytes copy(const uint8_t* p) {
    Ipv6Bytes a;
    std::memcpy(a.data(), p, 16);
    return a;
  }
};

template <FrameByte B>
std::optional<Ipv6Header<B>> ipv6_header(std::span<B> frame, const ParsedPacket& p) {
  if (p.l3 != Layer3::ipv6 || !p.l3_header_present ||
      frame.size() < size_t{p.l3_offset} + Ipv6Header<B>::kSize) {
    return std::nullopt;
  }
  return Ipv6Header<B>(frame.data() + p.l3_offset);
}

}  // namespace vsd::packet

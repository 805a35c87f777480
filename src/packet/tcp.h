#pragma once

#include <optional>
#include <span>

#include "packet/header_view.h"
#include "packet/numbers.h"
#include "packet/parsed_packet.h"

namespace vsd::packet {

namespace tcp_flag {
inline constexpr uint8_t fin = 0x01;
inline constexpr uint8_t syn = 0x02;
inline constexpr uint8_t rst = 0x04;
inline constexpr uint8_t psh = 0x08;
inline constexpr uint8_t ack = 0x10;
inline constexpr uint8_t urg = 0x20;
}  // namespace tcp_flag

// TCP header (RFC 9293), fixed part; options are between 20 and header_length().
template <FrameByte B>
class TcpHeader : public HeaderView<B> {
  using Base = HeaderView<B>;

 public:
  static constexpr size_t kMinSize = 20;
  static constexpr size_t kChecksumOffset = 16;
  using Base::Base;

  uint16_t source_port() const { return this->u16(0); }
  uint16_t destination_port() const { return this->u16(2); }
  uint32_t sequence() const { return this->u32(4); }
  uint32_t acknowledgment() const { return this->u32(8); }
  uint32_t header_length() const { return (this->p_[12] >> 4) * 4u; }
  uint8_t flags() const { return this->p_[13]; }
  bool syn() const { return (flags() & tcp_flag::syn) != 0; }
  bool ack() const { return (flags() & tcp_flag::ack) != 0; }
  bool fin() const { return (flags() & tcp_flag::fin) != 0; }
  bool rst() const { return (flags() & tcp_flag::rst) != 0; }
  uint16_t window() const { return this->u16(14); }
  uint16_t checksum() const { return this->u16(16); }
  uint16_t urgent_pointer() const { return this->u16(18); }

  void set_source_port(uint16_t v) const requires Base::kWritable { this->put16(0, v); }
  void set_destination_port(uint16_t v) const requires Base::kWritable { this->put16(2, v); }
  void set_sequence(uint32_t v) const requires Base::kWritable { this->put32(4, v); }
  void set_acknowledgment(uint32_t v) const requires Base::kWritable { this->put32(8, v); }
  void set_checksum(uint16_t v) const requires Base::kWritable { this->put16(16, v); }
};

// The full fixed header: not for non-first fragments, nor for quoted packets (8 bytes only).
template <FrameByte B>
std::optional<TcpHeader<B>> tcp_header(std::span<B> frame, const ParsedPacket& p) {
  if (p.l4_protocol != ipproto::tcp || !p.l4_header_present || p.quoted ||
      frame.size() < size_t{p.l4_offset} + TcpHeader<B>::kMinSize) {
    return std::nullopt;
  }
  return TcpHeader<B>(frame.data() + p.l4_offset);
}

}  // namespace vsd::packet

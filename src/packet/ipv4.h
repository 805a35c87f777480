#pragma once

#include <optional>
#include <span>

#include "packet/checksum.h"
#include "packet/header_view.h"
#include "packet/parsed_packet.h"

namespace vsd::packet {

// IPv4 header (RFC 791); addresses in host order.
template <FrameByte B>
class Ipv4Header : public HeaderView<B> {
  using Base = HeaderView<B>;

 public:
  static constexpr size_t kMinSize = 20;
  using Base::Base;

  uint8_t version() const { return this->p_[0] >> 4; }
  uint32_t header_length() const { return (this->p_[0] & 0x0fu) * 4u; }
  uint8_t tos() const { return this->p_[1]; }
  uint16_t total_length() const { return this->u16(2); }
  uint16_t id() const { return this->u16(4); }
  uint16_t flags_and_offset() const { return this->u16(6); }
  bool dont_fragment() const { return (flags_and_offset() & 0x4000) != 0; }
  bool more_fragments() const { return (flags_and_offset() & 0x2000) != 0; }
  uint32_t fragment_offset_bytes() const { return (flags_and_offset() & 0x1fffu) * 8u; }
  uint8_t ttl() const { return this->p_[8]; }
  uint8_t protocol() const { return this->p_[9]; }
  uint16_t checksum() const { return this->u16(10); }
  uint32_t source() const { return this->u32(12); }
  uint32_t destination() const { return this->u32(16); }
  std::span<const uint8_t> options() const {
    return {this->p_ + kMinSize, header_length() - kMinSize};
  }
  // The header checksum as it should be (the stored one is skipped).
  uint16_t computed_checksum() const {
    uint32_t sum = checksum_accumulate({this->p_, 10});
    sum = checksum_accumulate({this->p_ + 12, header_length() - 12}, sum);
    return checksum_finish(sum);
  }
  bool checksum_ok() const { return computed_checksum() == checksum(); }

  void set_tos(uint8_t v) const requires Base::kWritable { this->p_[1] = v; }
  void set_total_length(uint16_t v) const requires Base::kWritable { this->put16(2, v); }
  void set_id(uint16_t v) const requires Base::kWritable { this->put16(4, v); }
  void set_flags_and_offset(uint16_t v) const requires Base::kWritable { this->put16(6, v); }
  void set_ttl(uint8_t v) const requires Base::kWritable { this->p_[8] = v; }
  void set_protocol(uint8_t v) const requires Base::kWritable { this->p_[9] = v; }
  void set_checksum(uint16_t v) const requires Base::kWritable { this->put16(10, v); }
  void set_source(uint32_t v) const requires Base::kWritable { this->put32(12, v); }
  void set_destination(uint32_t v) const requires Base::kWritable { this->put32(16, v); }
  void update_checksum() const requires Base::kWritable { set_checksum(computed_checksum()); }
};

template <FrameByte B>
std::optional<Ipv4Header<B>> ipv4_header(std::span<B> frame, const ParsedPacket& p) {
  if (p.l3 != Layer3::ipv4 || !p.l3_header_present ||
      frame.size() < size_t{p.l3_offset} + p.l3_header_length) {
    return std::nullopt;
  }
  return Ipv4Header<B>(frame.data() + p.l3_offset);
}

}  // namespace vsd::packet

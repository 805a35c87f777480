#pragma once

#include <optional>
#include <span>

#include "packet/header_view.h"
#include "packet/numbers.h"
#include "packet/parsed_packet.h"

namespace vsd::packet {

// UDP header (RFC 768). A zero checksum means "none" over IPv4 and is invalid over IPv6.
template <FrameByte B>
class UdpHeader : public HeaderView<B> {
  using Base = HeaderView<B>;

 public:
  static constexpr size_t kSize = 8;
  static constexpr size_t kChecksumOffset = 6;
  using Base::Base;

  uint16_t source_port() const { return this->u16(0); }
  uint16_t destination_port() const { return this->u16(2); }
  uint16_t length() const { return this->u16(4); }
  uint16_t checksum() const { return this->u16(6); }

  void set_source_port(uint16_t v) const requires Base::kWritable { this->put16(0, v); }
  void set_destination_port(uint16_t v) const requires Base::kWritable { this->put16(2, v); }
  void set_length(uint16_t v) const requires Base::kWritable { this->put16(4, v); }
  void set_checksum(uint16_t v) const requires Base::kWritable { this->put16(6, v); }
};

template <FrameByte B>
std::optional<UdpHeader<B>> udp_header(std::span<B> frame, const ParsedPacket& p) {
  if (p.l4_protocol != ipproto::udp || !p.l4_header_present ||
      frame.size() < size_t{p.l4_offset} + UdpHeader<B>::kSize) {
    return std::nullopt;
  }
  return UdpHeader<B>(frame.data() + p.l4_offset);
}

}  // namespace vsd::packet

#pragma once

#include <optional>
#include <span>

#include "packet/header_view.h"
#include "packet/numbers.h"
#include "packet/parsed_packet.h"

namespace vsd::packet {

// The port pair that opens TCP and UDP headers: what a connection lookup needs, and the part an
// ICMP error's quote is sure to hold.
template <FrameByte B>
class L4Ports : public HeaderView<B> {
  using Base = HeaderView<B>;

 public:
  static constexpr size_t kSize = 4;
  using Base::Base;

  uint16_t source() const { return this->u16(0); }
  uint16_t destination() const { return this->u16(2); }
  void set_source(uint16_t v) const requires Base::kWritable { this->put16(0, v); }
  void set_destination(uint16_t v) const requires Base::kWritable { this->put16(2, v); }
};

template <FrameByte B>
std::optional<L4Ports<B>> l4_ports(std::span<B> frame, const ParsedPacket& p) {
  const bool has_ports = p.l4_protocol == ipproto::tcp || p.l4_protocol == ipproto::udp;
  if (!has_ports || !p.l4_header_present || frame.size() < size_t{p.l4_offset} + 4) {
    return std::nullopt;
  }
  return L4Ports<B>(frame.data() + p.l4_offset);
}

}  // namespace vsd::packet

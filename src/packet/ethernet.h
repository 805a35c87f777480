#pragma once

#include <optional>
#include <span>

#include "packet/header_view.h"
#include "packet/mac_address.h"
#include "packet/parsed_packet.h"

namespace vsd::packet {

template <FrameByte B>
class EthernetHeader : public HeaderView<B> {
  using Base = HeaderView<B>;

 public:
  static constexpr size_t kSize = 14;
  using Base::Base;

  MacAddress destination() const { return MacAddress::from(this->p_); }
  MacAddress source() const { return MacAddress::from(this->p_ + 6); }
  // The type field right after the addresses: 0x8100 when a VLAN tag follows (the parse result
  // holds the type after the tag).
  uint16_t outer_type() const { return this->u16(12); }

  void set_destination(const MacAddress& m) const requires Base::kWritable { m.store(this->p_); }
  void set_source(const MacAddress& m) const requires Base::kWritable { m.store(this->p_ + 6); }
};

template <FrameByte B>
std::optional<EthernetHeader<B>> ethernet_header(std::span<B> frame, const ParsedPacket& p) {
  if (p.l3_offset < EthernetHeader<B>::kSize || frame.size() < EthernetHeader<B>::kSize) {
    return std::nullopt;
  }
  return EthernetHeader<B>(frame.data());
}

}  // namespace vsd::packet

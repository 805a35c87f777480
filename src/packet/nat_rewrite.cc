#include "packet/nat_rewrite.h"

#include <cstring>

#include "packet/byte_order.h"
#include "packet/checksum_update.h"
#include "packet/ipv4.h"
#include "packet/numbers.h"

namespace vsd::packet {
namespace {

constexpr size_t kIpv4Source = 12;
constexpr size_t kIpv4Destination = 16;
constexpr size_t kIpv6Source = 8;
constexpr size_t kIpv6Destination = 24;

// Where the L4 checksum field is, if this packet's L4 checksum should follow a change: 0 if not.
size_t l4_checksum_field(std::span<uint8_t> frame, const ParsedPacket& p, bool address_change) {
  if (!p.l4_header_present || p.quoted) return 0;
  size_t offset = 0;
  switch (p.l4_protocol) {
    case ipproto::tcp:
      offset = 16;
      break;
    case ipproto::udp:
      offset = 6;
      break;
    case ipproto::icmpv6:
      // Its pseudo-header holds the addresses; it has no ports.
      if (!address_change || p.l3 != Layer3::ipv6) return 0;
      offset = 2;
      break;
    default:
      return 0;  // ICMPv4 has no pseudo-header; other protocols are not ours to fix
  }
  const size_t field = size_t{p.l4_offset} + offset;
  return field + 2 <= frame.size() ? field : 0;
}

void apply_to_l4(std::span<uint8_t> frame, const ParsedPacket& p, size_t field, uint32_t difference,
                 L4ChecksumForm form) {
  uint8_t* at = frame.data() + field;
  const uint16_t old_checksum = load_be16(at);
  if (form == L4ChecksumForm::partial) {
    store_be16(at, partial_checksum_apply(old_checksum, difference));
    return;
  }
  const bool udp = p.l4_protocol == ipproto::udp;
  if (udp && old_checksum == 0) return;  // no checksum to keep right (IPv4), or already invalid
  uint16_t updated = checksum_apply(old_checksum, difference);
  if (udp && updated == 0) updated = 0xffff;
  store_be16(at, updated);
}

bool rewrite_ipv4_address(std::span<uint8_t> frame, const ParsedPacket& p, size_t where,
                          uint32_t address, L4ChecksumForm form) {
  if (p.l3 != Layer3::ipv4 || !p.l3_header_present || frame.size() < p.l3_offset + 20u) {
    return false;
  }
  uint8_t* ip = frame.data() + p.l3_offset;
  const uint32_t old_address = load_be32(ip + where);
  const uint32_t difference = checksum_difference32(old_address, address);
  store_be32(ip + where, address);
  store_be16(ip + 10, checksum_apply(load_be16(ip + 10), difference));
  if (size_t field = l4_checksum_field(frame, p, true))
    apply_to_l4(frame, p, field, difference, form);
  return true;
}

bool rewrite_ipv6_address(std::span<uint8_t> frame, const ParsedPacket& p, size_t where,
                          const Ipv6Bytes& address, L4ChecksumForm form) {
  if (p.l3 != Layer3::ipv6 || !p.l3_header_present || frame.size() < p.l3_offset + 40u) {
    return false;
  }
  uint8_t* field_bytes = frame.data() + p.l3_offset + where;
  const uint32_t difference = checksum_difference128(field_bytes, address.data());
  std::memcpy(field_bytes, address.data(), 16);
  if (size_t field = l4_checksum_field(frame, p, true))
    apply_to_l4(frame, p, field, difference, form);
  return true;
}

bool rewrite_port(std::span<uint8_t> frame, const ParsedPacket& p, size_t where, uint16_t port,
                  L4ChecksumForm form) {
  const bool has_ports = p.l4_protocol == ipproto::tcp || p.l4_protocol == ipproto::udp;
  if (!has_ports || !p.l4_header_present || frame.size() < size_t{p.l4_offset} + 4) return false;
  uint8_t* at = frame.data() + p.l4_offset + where;
  const uint16_t old_port = load_be16(at);
  store_be16(at, port);
  if (form == L4ChecksumForm::partial) return true;
  if (size_t field = l4_checksum_field(frame, p, false)) {
    apply_to_l4(frame, p, field, checksum_difference16(old_port, port), form);
  }
  return true;
}

}  // namespace

bool rewrite_ipv4_source(std::span<uint8_t> frame, const ParsedPacket& p, uint32_t address,
                         L4ChecksumForm form) {
  return rewrite_ipv4_address(frame, p, kIpv4Source, address, form);
}

bool rewrite_ipv4_destination(std::span<uint8_t> frame, const ParsedPacket& p, uint32_t address,
                              L4ChecksumForm form) {
  return rewrite_ipv4_address(frame, p, kIpv4Destination, address, form);
}

bool rewrite_ipv6_source(std::span<uint8_t> frame, const ParsedPacket& p, const Ipv6Bytes& address,
                         L4ChecksumForm form) {
  return rewrite_ipv6_address(frame, p, kIpv6Source, address, form);
}

bool rewrite_ipv6_destination(std::span<uint8_t> frame, const ParsedPacket& p,
                              const Ipv6Bytes& address, L4ChecksumForm form) {
  return rewrite_ipv6_address(frame, p, kIpv6Destination, address, form);
}

bool rewrite_source_port(std::span<uint8_t> frame, const ParsedPacket& p, uint16_t port,
                         L4ChecksumForm form) {
  return rewrite_port(frame, p, 0, port, form);
}

bool rewrite_destination_port(std::span<uint8_t> frame, const ParsedPacket& p, uint16_t port,
                              L4ChecksumForm form) {
  return rewrite_port(frame, p, 2, port, form);
}

}  // namespace vsd::packet

#include "realserver/inner_packet.h"

#include <algorithm>
#include <cstring>

namespace vsd::realserver {
namespace {

constexpr std::size_t kIpv4MinHeader = 20;
constexpr std::size_t kIpv6Header = 40;
constexpr uint8_t kProtocolIpip = 4;

uint8_t byte_at(std::span<const std::byte> data, std::size_t offset) {
  return std::to_integer<uint8_t>(data[offset]);
}

uint16_t be16_at(std::span<const std::byte> data, std::size_t offset) {
  return static_cast<uint16_t>((byte_at(data, offset) << 8) | byte_at(data, offset + 1));
}

bool destination_is(std::span<const std::byte> address_bytes, const IpAddress& vip) {
  const auto want = std::as_bytes(std::span(vip.bytes()).first(address_bytes.size()));
  return std::equal(address_bytes.begin(), address_bytes.end(), want.begin());
}

// The inner packet, cut to the length its own header gives (the outer one may carry padding).
Decapsulated check_inner(std::span<const std::byte> inner, const IpAddress& vip) {
  if (inner.empty()) return {DecapVerdict::truncated_inner, {}};
  const unsigned version = byte_at(inner, 0) >> 4;
  if (version != (vip.is_v4() ? 4u : 6u)) return {DecapVerdict::wrong_inner_family, {}};
  std::size_t length = 0;
  std::span<const std::byte> destination;
  if (version == 4) {
    if (inner.size() < kIpv4MinHeader) return {DecapVerdict::truncated_inner, {}};
    length = be16_at(inner, 2);
    const std::size_t header = (byte_at(inner, 0) & 0x0fu) * 4u;
    if (header < kIpv4MinHeader || length < header) return {DecapVerdict::truncated_inner, {}};
    destination = inner.subspan(16, 4);
  } else {
    if (inner.size() < kIpv6Header) return {DecapVerdict::truncated_inner, {}};
    length = kIpv6Header + be16_at(inner, 4);
    destination = inner.subspan(24, 16);
  }
  if (length > inner.size()) return {DecapVerdict::truncated_inner, {}};
  if (!destination_is(destination, vip)) return {DecapVerdict::not_for_vip, {}};
  return {DecapVerdict::deliver, inner.first(length)};
}

}  // namespace

Decapsulated decapsulate_ipip(std::span<const std::byte> outer_datagram, const IpAddress& vip) {
  if (outer_datagram.size() < kIpv4MinHeader) return {DecapVerdict::truncated_outer, {}};
  const std::size_t header = (byte_at(outer_datagram, 0) & 0x0fu) * 4u;
  const std::size_t total = be16_at(outer_datagram, 2);
  if ((byte_at(outer_datagram, 0) >> 4) != 4 || header < kIpv4MinHeader || total < header ||
      total > outer_datagram.size()) {
    return {DecapVerdict::truncated_outer, {}};
  }
  if (byte_at(outer_datagram, 9) != kProtocolIpip) return {DecapVerdict::not_ipip, {}};
  return check_inner(outer_datagram.subspan(header, total - header), vip);
}

Decapsulated check_ip6ip6_payload(std::span<const std::byte> payload, const IpAddress& vip) {
  return check_inner(payload, vip);
}

const char* verdict_name(DecapVerdict verdict) {
  switch (verdict) {
    case DecapVerdict::deliver:
      return "delivered";
    case DecapVerdict::truncated_outer:
      return "truncated_outer";
    case DecapVerdict::not_ipip:
      return "not_ipip";
    case DecapVerdict::truncated_inner:
      return "truncated_inner";
    case DecapVerdict::wrong_inner_family:
      return "wrong_inner_family";
    case DecapVerdict::not_for_vip:
      return "not_for_vip";
  }
  return "unknown";
}

}  // namespace vsd::realserver

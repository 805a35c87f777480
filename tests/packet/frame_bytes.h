#pragma once

#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>
#include <vector>

#include "common/address.h"
#include "packet/ipv6.h"
#include "packet/parse.h"

namespace vsd::packet::testing {

using Bytes = std::vector<uint8_t>;

template <size_t N>
Bytes bytes_of(const uint8_t (&fixture)[N]) {
  return Bytes(std::begin(fixture), std::end(fixture));
}

inline ParsedPacket parse(const Bytes& frame) {
  return parse_frame(std::span<const uint8_t>(frame));
}

inline std::span<uint8_t> span_of(Bytes& b) {
  return {b.data(), b.size()};
}
inline std::span<const uint8_t> cspan_of(const Bytes& b) {
  return {b.data(), b.size()};
}

inline uint32_t ip4(std::string_view text) {
  return IpAddress::parse(text)->v4_host_order();
}
inline Ipv6Bytes ip6(std::string_view text) {
  return IpAddress::parse(text)->bytes();
}

}  // namespace vsd::packet::testing

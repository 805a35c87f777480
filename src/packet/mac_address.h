#pragma once

#include <array>
#include <cstdint>
#include <cstring>

namespace vsd::packet {

struct MacAddress {
  std::array<uint8_t, 6> bytes{};

  static constexpr MacAddress broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
  static MacAddress from(const uint8_t* p) {
    MacAddress m;
    std::memcpy(m.bytes.data(), p, 6);
    return m;
  }
  void store(uint8_t* p) const { std::memcpy(p, bytes.data(), 6); }
  bool is_multicast() const { return (bytes[0] & 0x01) != 0; }  // broadcast included
  friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace vsd::packet

#pragma once

#include <cstdint>

#include "packet/byte_order.h"
#include "packet/checksum.h"

// Incremental checksum update, RFC 1624 equation 3: HC' = ~(~HC + ~m + m'). A field change is
// first turned into a difference (~m + m' summed over its 16-bit words); the difference then
// applies to a full checksum (complemented) or to a CHECKSUM_PARTIAL seed (not complemented,
// the pseudo-header sum the sender left in the field).
namespace vsd::packet {

constexpr uint32_t checksum_difference16(uint16_t old_value, uint16_t new_value) {
  return uint32_t{static_cast<uint16_t>(~old_value)} + new_value;
}

constexpr uint32_t checksum_difference32(uint32_t old_value, uint32_t new_value) {
  return checksum_difference16(static_cast<uint16_t>(old_value >> 16),
                               static_cast<uint16_t>(new_value >> 16)) +
         checksum_difference16(static_cast<uint16_t>(old_value), static_cast<uint16_t>(new_value));
}

// 16 network-order bytes (an IPv6 address) before and after.
inline uint32_t checksum_difference128(const uint8_t* old_bytes, const uint8_t* new_bytes) {
  uint32_t sum = 0;
  for (int i = 0; i < 16; i += 4) {
    sum += checksum_fold(checksum_difference32(load_be32(old_bytes + i), load_be32(new_bytes + i)));
  }
  return sum;
}

constexpr uint16_t checksum_apply(uint16_t checksum, uint32_t difference) {
  return checksum_finish(uint64_t{static_cast<uint16_t>(~checksum)} + difference);
}

constexpr uint16_t partial_checksum_apply(uint16_t seed, uint32_t difference) {
  return checksum_fold(uint64_t{seed} + difference);
}

constexpr uint16_t checksum_update16(uint16_t checksum, uint16_t old_value, uint16_t new_value) {
  return checksum_apply(checksum, checksum_difference16(old_value, new_value));
}

constexpr uint16_t checksum_update32(uint16_t checksum, uint32_t old_value, uint32_t new_value) {
  return checksum_apply(checksum, checksum_difference32(old_value, new_value));
}

inline uint16_t checksum_update128(uint16_t checksum, const uint8_t* old_bytes,
                                   const uint8_t* new_bytes) {
  return checksum_apply(checksum, checksum_difference128(old_bytes, new_bytes));
}

}  // namespace vsd::packet

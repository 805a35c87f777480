#pragma once

#include <cstdint>

#include "common/address.h"

// The key functions IPVS's table-driven schedulers (dh, sh, mh, lblc, lblcr) share, kept
// bit-exact so that a service moved from IPVS with the same destination list maps every client
// or destination address to the same real server.
namespace vsd::sched {

// IPVS folds an IPv6 address into 32 bits by XOR of its four words; an IPv4 address is its own
// fold (vsd keeps the other twelve bytes zero, so the same XOR gives it). Host order, as IPVS's
// ntohl(addr_fold).
inline uint32_t fold_address(const IpAddress& address) {
  const auto& b = address.bytes();
  uint32_t fold = 0;
  for (size_t i = 0; i < b.size(); i += 4)
    fold ^= (uint32_t{b[i]} << 24) | (uint32_t{b[i + 1]} << 16) | (uint32_t{b[i + 2]} << 8) |
            uint32_t{b[i + 3]};
  return fold;
}

// include/linux/hash.h hash_32() as the kernel computes it on every common architecture:
// Knuth's multiplicative hash with GOLDEN_RATIO_32, keeping the top `bits` bits.
inline uint32_t golden_ratio_hash(uint32_t value, unsigned bits) {
  return (value * 0x61C88647u) >> (32 - bits);
}

}  // namespace vsd::sched

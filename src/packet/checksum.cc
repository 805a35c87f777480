#include "packet/checksum.h"

#include <bit>
#include <cstring>

namespace vsd::packet {
namespace {

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// One's-complement addition on 64-bit words: the carry out wraps around.
inline uint64_t add_carry(uint64_t acc, uint64_t word) {
  acc += word;
  return acc + (acc < word ? 1 : 0);
}

}  // namespace

uint16_t checksum_accumulate(std::span<const uint8_t> bytes, uint32_t sum) {
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  uint64_t a0 = 0, a1 = 0;  // two chains so the adds of a 32-byte block overlap
  while (n >= 32) {
    a0 = add_carry(a0, load64(p));
    a1 = add_carry(a1, load64(p + 8));
    a0 = add_carry(a0, load64(p + 16));
    a1 = add_carry(a1, load64(p + 24));
    p += 32;
    n -= 32;
  }
  while (n >= 8) {
    a0 = add_carry(a0, load64(p));
    p += 8;
    n -= 8;
  }
  // The tail keeps its position in memory (every load starts at an even offset), so a last odd
  // byte lands as the high half of its big-endian word, padded with zero as RFC 1071 asks.
  // Fixed-size loads: a memcpy of variable length would be a library call.
  if (n >= 4) {
    uint32_t word;
    std::memcpy(&word, p, 4);
    a1 = add_carry(a1, word);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    uint16_t word;
    std::memcpy(&word, p, 2);
    a1 = add_carry(a1, word);
    p += 2;
    n -= 2;
  }
  if (n == 1) {
    const uint64_t byte = *p;
    a1 = add_carry(a1, std::endian::native == std::endian::little ? byte : byte << 8);
  }
  uint16_t native = checksum_fold(add_carry(a0, a1));
  if constexpr (std::endian::native == std::endian::little) native = __builtin_bswap16(native);
  return checksum_fold(uint64_t{native} + sum);
}

uint16_t pseudo_header_sum_v4(uint32_t source, uint32_t destination, uint8_t protocol,
                              uint32_t length) {
  uint64_t sum = (source >> 16) + (source & 0xffff) + (destination >> 16) + (destination & 0xffff);
  sum += protocol;
  sum += length;
  return checksum_fold(sum);
}

uint16_t pseudo_header_sum_v6(const uint8_t* source, const uint8_t* destination, uint32_t length,
                              uint8_t next_header) {
  uint32_t sum = checksum_accumulate({source, 16});
  sum = checksum_accumulate({destination, 16}, sum);
  return checksum_fold(uint64_t{sum} + (length >> 16) + (length & 0xffff) + next_header);
}

}  // namespace vsd::packet

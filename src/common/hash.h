#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vsd {

// A 64-bit finalizer with full avalanche (the splitmix64/murmur3 mixing step). Written here rather
// than taken from a library because it sits on the packet path and must inline.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline uint64_t hash_combine(uint64_t seed, uint64_t value) {
  return mix64(seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)));
}

// Hashes a short byte string eight bytes at a time.
inline uint64_t hash_bytes(const void* data, size_t size, uint64_t seed = 0) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t h = seed ^ (size * 0x9e3779b97f4a7c15ULL);
  while (size >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = hash_combine(h, word);
    p += 8;
    size -= 8;
  }
  if (size > 0) {
    uint64_t word = 0;
    std::memcpy(&word, p, size);
    h = hash_combine(h, word);
  }
  return mix64(h);
}

}  // namespace vsd

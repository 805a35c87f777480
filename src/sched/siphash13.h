#pragma once

#include <bit>
#include <cstdint>

namespace vsd::sched {

// The kernel's hsiphash() of one 32-bit word on 64-bit machines, which lib/siphash.c implements
// as SipHash-1-3 (one compression round, three finalisation rounds) truncated to 32 bits. The mh
// scheduler hashes with it under fixed keys, so reproducing it gives IPVS's exact Maglev table.
// The word is hashed as the four bytes a little-endian kernel stores it in.
inline uint32_t hsiphash_word(uint32_t word, uint64_t key0, uint64_t key1) {
  uint64_t v0 = 0x736f6d6570736575ULL ^ key0;
  uint64_t v1 = 0x646f72616e646f6dULL ^ key1;
  uint64_t v2 = 0x6c7967656e657261ULL ^ key0;
  uint64_t v3 = 0x7465646279746573ULL ^ key1;
  auto round = [&] {
    v0 += v1;
    v1 = std::rotl(v1, 13);
    v1 ^= v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = std::rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = std::rotl(v1, 17);
    v1 ^= v2;
    v2 = std::rotl(v2, 32);
  };
  // A 4-byte message is all tail: its length in the top byte, the bytes below.
  const uint64_t last = (uint64_t{4} << 56) | word;
  v3 ^= last;
  round();
  v0 ^= last;
  v2 ^= 0xff;
  round();
  round();
  round();
  return static_cast<uint32_t>(v0 ^ v1 ^ v2 ^ v3);
}

}  // namespace vsd::sched

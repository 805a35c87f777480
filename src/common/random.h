#pragma once

#include <cstdint>

namespace vsd {

// splitmix64: a small, fast, seedable generator. Seeded explicitly so that tests can replay a
// sequence; not for anything that needs to be unpredictable.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed = 0x5eed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) (Lemire's multiply-shift; the bias is below 2^-32 for our bounds).
  uint64_t below(uint64_t bound) {
    __extension__ using uint128 =
        unsigned __int128;  // GCC/Clang built-in; -Wpedantic wants it marked
    return static_cast<uint64_t>((static_cast<uint128>(next()) * bound) >> 64);
  }

 private:
  uint64_t state_;
};

}  // namespace vsd

#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

#include "common/address.h"
#include "common/hash.h"
#include "packet/mac_address.h"

namespace vsd::dataplane {

// One worker's memory of where recent destinations go (route + neighbour resolved to a link
// address and an interface): established traffic goes to a handful of real servers and
// gateways, and the shared tables cost a hash, a prefix walk and a sequence-counter read each.
// Direct-mapped, no locks (one worker). Cleared when the routes or the neighbours change.
class NextHopCache {
 public:
  struct Hop {
    packet::MacAddress mac;
    uint16_t interface = 0;
  };

  // `direct`: resolved as an on-link host (direct routing), not through the route's gateway.
  // The hop stays valid until the next remember() or clear().
  const Hop* find(const IpAddress& destination, bool direct) const {
    uint64_t high;
    uint64_t low;
    words(destination, high, low);
    const Slot& s = slots_[index(high, low)];
    if (s.epoch != epoch_ || s.high != high || s.low != low || s.tag != tag(destination, direct))
      return nullptr;
    return &s.hop;
  }
  void remember(const IpAddress& destination, bool direct, const Hop& hop) {
    uint64_t high;
    uint64_t low;
    words(destination, high, low);
    Slot& s = slots_[index(high, low)];
    s = Slot{high, low, tag(destination, direct), epoch_, hop};
  }
  // Forgets everything (a new epoch; the slots are not touched).
  void clear() { ++epoch_; }

 private:
  static constexpr size_t kSlots = 256;
  struct Slot {
    uint64_t high = 0, low = 0;
    uint8_t tag = 0;
    uint32_t epoch = 0;
    Hop hop;
  };
  // An IPv4 address is read as its four bytes only (the rest is zero): it has usually just been
  // written four bytes at a time, and a wider load would wait for those stores to retire.
  static void words(const IpAddress& a, uint64_t& high, uint64_t& low) {
    if (a.is_v4()) {
      uint32_t v4;
      std::memcpy(&v4, a.bytes().data(), 4);
      high = v4;
      low = 0;
      return;
    }
    std::memcpy(&high, a.bytes().data(), 8);
    std::memcpy(&low, a.bytes().data() + 8, 8);
  }
  static uint8_t tag(const IpAddress& a, bool direct) {
    return static_cast<uint8_t>((a.is_v4() ? 4 : 6) | (direct ? 0x80 : 0));
  }
  static size_t index(uint64_t high, uint64_t low) {
    return static_cast<size_t>(mix64(high ^ (low * 0x9e3779b97f4a7c15ULL))) & (kSlots - 1);
  }

  uint32_t epoch_ = 1;  // slots start at epoch 0: empty
  std::array<Slot, kSlots> slots_{};
};

}  // namespace vsd::dataplane

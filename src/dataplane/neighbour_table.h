#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/address.h"
#include "common/spinlock.h"
#include "common/time.h"
#include "packet/mac_address.h"

namespace vsd::dataplane {

// Next-hop link addresses, shared by every worker and the resolver: static entries from the
// configuration, entries learnt from rtnetlink (live) and from ARP replies the data plane sees.
// Lookups are lock-free (a sequence counter per slot: a reader that raced a writer retries);
// writers serialise on one spinlock (rare: learning and resolution requests). Fixed capacity,
// open addressing; nothing allocates after construction.
class NeighbourTable {
 public:
  explicit NeighbourTable(size_t capacity = 4096);

  struct Neighbour {
    packet::MacAddress mac;
    uint16_t interface = 0;
  };
  std::optional<Neighbour> find(const IpAddress& address) const;

  void learn(const IpAddress& address, const packet::MacAddress& mac, uint16_t interface);
  // A lookup missed: records that `address` is wanted. True when the caller should send a
  // resolution request now (none was sent for it within `retry`); the caller never waits.
  bool want(const IpAddress& address, uint16_t interface, Instant now, Duration retry);
  // Addresses wanted and not yet resolved (the live resolver asks the kernel about them).
  std::vector<IpAddress> unresolved() const;
  // Lookups that missed since construction.
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }
  // Changes whenever a resolved entry is added or changes (workers' caches compare it).
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  enum State : uint8_t { empty = 0, resolved = 1, incomplete = 2 };
  struct Slot {
    std::atomic<uint32_t> sequence{0};
    std::atomic<uint64_t> address_high{0};
    std::atomic<uint64_t> address_low{0};
    // mac (48 bits) | interface (8) | family (4) | state (4)
    std::atomic<uint64_t> link{0};
    std::atomic<int64_t> requested_ns{0};
  };
  struct Decoded {
    uint64_t high = 0, low = 0, link = 0;
    int64_t requested_ns = 0;
  };

  static void split(const IpAddress& a, uint64_t& high, uint64_t& low);
  static uint64_t family_bits(const IpAddress& a) { return a.is_v4() ? 4u : 6u; }
  size_t home(uint64_t high, uint64_t low) const;
  bool read(const Slot& slot, Decoded& out) const;
  // The slot holding `address`, or where it would go; under the writer lock.
  Slot& place(const IpAddress& address);
  void write(Slot& slot, const IpAddress& address, uint64_t link, int64_t requested_ns);

  static constexpr size_t kProbe = 16;
  size_t mask_ = 0;
  std::unique_ptr<Slot[]> slots_;
  SpinLock writer_;
  mutable std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> generation_{0};
};

}  // namespace vsd::dataplane

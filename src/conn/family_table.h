#pragma once

// Internal to the conn module: the connection table of one address family. Entries live in a
// slab allocated once (capacity fixed at construction) and are chained by 32-bit indices in
// two hash indexes, inbound and reply. Each bucket is one 32-bit word whose top bit is its
// spinlock, so locking a bucket and reading its chain head touch the same cache line.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/spinlock.h"
#include "conn/entry.h"

namespace vsd::conn {

// Everything a new entry is made of.
template <class A>
struct NewEntry {
  InKey<A> key;
  A server;
  uint16_t server_port = 0;
  A local;
  uint16_t local_port = 0;
  uint8_t method = 0;
  uint16_t state_word = 0;
  uint32_t control_or_timeout = 0;
  core::RealServer* destination = nullptr;
  int64_t deadline_ns = 0;
};

template <class A>
class FamilyTable {
 public:
  static constexpr uint32_t kNone = 0x7fffffffu;

  FamilyTable(uint32_t capacity, uint64_t seed);
  ~FamilyTable();
  FamilyTable(const FamilyTable&) = delete;
  FamilyTable& operator=(const FamilyTable&) = delete;

  uint64_t inbound_hash(const InKey<A>& key) const;
  void prefetch_bucket(uint64_t hash) const;
  void prefetch_chain_head(uint64_t hash) const;

  // The live entry with this key, pinned (unpin when done), or kNone.
  uint32_t find_inbound(const InKey<A>& key, uint64_t hash, int64_t now_ns);
  uint32_t find_reply(const OutKey<A>& key, int64_t now_ns);

  struct Inserted {
    uint32_t index = kNone;  // pinned; kNone when the table is full
    bool created = false;    // false: a live entry with the same key was there and is returned
  };
  // Binds the destination (hold + bind_connection(false) or bind_template) and, for a
  // controlled connection, counts it on its template, then makes the entry reachable.
  Inserted insert(const NewEntry<A>& fields, int64_t now_ns);

  // IPVS liveness: a connection until its deadline; a template also while it controls any.
  bool live(const Entry<A>& e, int64_t now_ns) const;
  Entry<A>& at(uint32_t index) { return slots_[index]; }
  const Entry<A>& at(uint32_t index) const { return slots_[index]; }
  void pin(uint32_t index) { slots_[index].pins.fetch_add(1, std::memory_order_relaxed); }
  void unpin(uint32_t index) { slots_[index].pins.fetch_sub(1, std::memory_order_release); }
  // Reclaims the entry at `index` if it is due and nobody holds it.
  bool reclaim_if_due(uint32_t index, int64_t now_ns) {
    return try_reclaim(index, now_ns, Mode::due);
  }

  // Examines up to `max_slots` slots from a rotating cursor and removes the ones that are due.
  size_t expire(int64_t now_ns, size_t max_slots);
  // Removes everything due at `now_ns` (templates freed by their last connection included).
  size_t expire_all_due(int64_t now_ns);
  // Removes every entry that is not in use, due or not.
  size_t flush();

  // Calls f(entry) for every entry in the index, under its bucket's lock: f must not call back.
  template <class F>
  void for_each(F&& f) {
    for (uint32_t b = 0; b <= mask_; ++b) {
      const uint32_t head = lock(in_buckets_[b]);
      for (uint32_t i = head; i != kNone; i = slots_[i].in_next) f(slots_[i]);
      unlock(in_buckets_[b], head);
    }
  }

  size_t size() const { return static_cast<size_t>(linked_.load(std::memory_order_relaxed)); }
  uint32_t capacity() const { return capacity_; }
  uint64_t full_failures() const { return full_failures_.load(std::memory_order_relaxed); }

 private:
  static constexpr uint32_t kLocked = 0x80000000u;
  static constexpr unsigned kFreeLists = 16;

  struct alignas(64) FreeList {
    SpinLock lock;
    uint32_t head = kNone;
  };

  static uint32_t lock(std::atomic<uint32_t>& bucket);
  static void unlock(std::atomic<uint32_t>& bucket, uint32_t head) {
    bucket.store(head, std::memory_order_release);
  }

  bool expire_hints(uint32_t index, uint64_t& in_hash, bool& replies, uint64_t& out_hash);
  // Expiry: fetches the chain head an unlink will walk from, if it is not the entry itself.
  void prefetch_chain_head(const std::atomic<uint32_t>& bucket, uint32_t unless) const;
  uint64_t reply_hash(const OutKey<A>& key) const;
  uint64_t reply_hash_of(const Entry<A>& e) const;
  uint32_t allocate(uint64_t hint);
  void release_slot(uint32_t index);

  void unbind(Entry<A>& e);
  void release_control(const Entry<A>& e);
  static void advance_template_deadline(Entry<A>& tpl, int64_t past_ns);
  enum class Mode { due, forced };
  bool try_reclaim(uint32_t index, int64_t now_ns, Mode mode);
  void unlink(uint32_t& head, uint32_t index, bool inbound);

  const uint32_t capacity_;
  const uint64_t seed_;
  uint32_t mask_ = 0;
  std::unique_ptr<Entry<A>[]> slots_;
  std::unique_ptr<std::atomic<uint32_t>[]> in_buckets_;
  std::unique_ptr<std::atomic<uint32_t>[]> out_buckets_;
  std::unique_ptr<FreeList[]> free_lists_;
  std::atomic<uint64_t> cursor_{0};
  std::atomic<int64_t> linked_{0};
  std::atomic<uint64_t> full_failures_{0};
};

extern template class FamilyTable<Addr4>;
extern template class FamilyTable<Addr6>;

}  // namespace vsd::conn

#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "common/address.h"
#include "common/time.h"
#include "sched/address_hash.h"

namespace vsd::sched {

// The destination-address table of lblc and lblcr (IPVS ip_vs_lblc.c / ip_vs_lblcr.c): 1024
// hash buckets keyed like IPVS's, entries that remember when they were last used, and IPVS's
// garbage collection: every 60 s, either a full pass that drops entries unused for
// `expiration` (every 30th check), or, while the table holds more than 16384 entries, a pass
// that drops entries unused for 6 minutes until it has dropped 4/3 of the excess (at most
// 8192). IPVS runs those passes from a timer; here the scheduling calls run them, a few
// buckets per call, so that no single connection pays for a whole pass.
//
// Entries come from a pool sized once at construction, so that remembering an address never
// allocates; a full pool behaves as IPVS's failed allocation: the choice stands but is not
// remembered. Not thread-safe: the scheduler that owns it serialises access.
template <class Payload>
class LocalityTable {
 public:
  static constexpr unsigned kBucketBits = 10;  // CONFIG_IP_VS_LBLC_TAB_BITS
  static constexpr uint32_t kBuckets = uint32_t{1} << kBucketBits;
  static constexpr size_t kCollectAbove = size_t{kBuckets} * 16;  // IPVS's tbl->max_size
  static constexpr Duration kCheckInterval = seconds(60);         // CHECK_EXPIRE_INTERVAL
  static constexpr Duration kIdleLimit = minutes(6);              // ENTRY_TIMEOUT
  static constexpr int kChecksPerFullPass = 30;                   // COUNT_FOR_FULL_EXPIRATION
  static constexpr uint32_t kBucketsPerCall = 8;
  static constexpr uint32_t kNil = std::numeric_limits<uint32_t>::max();

  struct Entry {
    IpAddress address;
    Instant last_use{};
    Payload payload{};
    uint32_t next = kNil;
  };

  LocalityTable(size_t capacity, Duration expiration)
      : expiration_(expiration),
        pool_(std::min<size_t>(capacity, kNil - 1)),
        heads_(kBuckets, kNil) {
    for (uint32_t i = 0; i < pool_.size(); ++i) pool_[i].next = i + 1 < pool_.size() ? i + 1 : kNil;
    free_ = pool_.empty() ? kNil : 0;
  }

  Entry* find(const IpAddress& address) {
    for (uint32_t i = heads_[bucket_of(address)]; i != kNil; i = pool_[i].next)
      if (pool_[i].address == address) return &pool_[i];
    return nullptr;
  }

  // Unused for `expiration`: IPVS's full pass would drop it, so it no longer counts.
  bool expired(const Entry& entry, Instant now) const {
    return now - entry.last_use >= expiration_;
  }

  // A new entry for an address not in the table; nullptr when the pool is used up.
  Entry* insert(const IpAddress& address, Instant now) {
    if (free_ == kNil) return nullptr;
    const uint32_t i = free_;
    Entry& e = pool_[i];
    free_ = e.next;
    e.address = address;
    e.last_use = now;
    e.payload = Payload{};
    uint32_t& head = heads_[bucket_of(address)];
    e.next = head;
    head = i;
    ++size_;
    return &e;
  }

  // One bounded step of IPVS's periodic collection; `release(entry)` is called for every entry
  // dropped, before its slot is reused.
  template <class Release>
  void collect(Instant now, Release&& release) {
    if (!armed_) {
      armed_ = true;
      next_check_ = now + kCheckInterval;
      return;
    }
    if (pass_buckets_left_ == 0) {
      if (now < next_check_) return;
      next_check_ = now + kCheckInterval;
      if (checks_ % kChecksPerFullPass == 0) {
        checks_ = 1;
        start_pass(/*full=*/true, 0);
      } else if (size_ <= kCollectAbove) {
        ++checks_;
        return;
      } else {
        const int64_t excess = static_cast<int64_t>(size_ - kCollectAbove);
        start_pass(false, std::min<int64_t>(excess * 4 / 3, kCollectAbove / 2));
      }
    }
    for (uint32_t n = 0; n < kBucketsPerCall && pass_buckets_left_ > 0; ++n) {
      rover_ = (rover_ + 1) % kBuckets;
      --pass_buckets_left_;
      sweep_bucket(rover_, now, release);
      if (!pass_full_ && pass_goal_ <= 0) pass_buckets_left_ = 0;
    }
  }

  // Every entry, in bucket order.
  template <class Visit>
  void for_each(Visit&& visit) const {
    for (uint32_t head : heads_)
      for (uint32_t i = head; i != kNil; i = pool_[i].next) visit(pool_[i]);
  }

  // Carry the collection schedule over to a successor table.
  void copy_schedule_from(const LocalityTable& other) {
    armed_ = other.armed_;
    next_check_ = other.next_check_;
    checks_ = other.checks_;
    rover_ = other.rover_;
  }

  size_t size() const { return size_; }
  size_t capacity() const { return pool_.size(); }
  Duration expiration() const { return expiration_; }

 private:
  static uint32_t bucket_of(const IpAddress& address) {
    return golden_ratio_hash(fold_address(address), kBucketBits);
  }

  void start_pass(bool full, int64_t goal) {
    pass_full_ = full;
    pass_goal_ = goal;
    pass_buckets_left_ = kBuckets;
  }

  template <class Release>
  void sweep_bucket(uint32_t bucket, Instant now, Release& release) {
    const Duration limit = pass_full_ ? expiration_ : kIdleLimit;
    uint32_t* link = &heads_[bucket];
    while (*link != kNil) {
      const uint32_t i = *link;
      Entry& e = pool_[i];
      if (now - e.last_use < limit) {
        link = &e.next;
        continue;
      }
      *link = e.next;
      release(e);
      e.next = free_;
      free_ = i;
      --size_;
      --pass_goal_;
    }
  }

  const Duration expiration_;
  std::vector<Entry> pool_;
  std::vector<uint32_t> heads_;
  uint32_t free_ = kNil;
  size_t size_ = 0;

  bool armed_ = false;  // IPVS arms its timer when the service starts; here at the first call
  Instant next_check_{};
  int checks_ = 1;
  uint32_t rover_ = 0;
  uint32_t pass_buckets_left_ = 0;
  bool pass_full_ = false;
  int64_t pass_goal_ = 0;
};

}  // namespace vsd::sched

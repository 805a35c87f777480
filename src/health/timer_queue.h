#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "common/time.h"

namespace vsd::health {

// The checkers' timers: a binary heap, so that 10,000 checkers each firing every second cost
// O(log n) per timer instead of a scan of every timer per wake-up. Callbacks live in reused slots
// named by index and generation (no hash table, no node per timer); a cancelled timer's heap
// entry is dropped lazily when it reaches the top. Timers due at the same instant run in the
// order they were scheduled. Single-threaded (the control loop).
class TimerQueue {
 public:
  using Id = uint64_t;  // never 0

  Id schedule(Instant due, std::function<void()> callback);
  void cancel(Id id);
  // The earliest live deadline, if any.
  std::optional<Instant> next_due();
  // Runs every timer due at or before `now`, earliest first; callbacks may schedule or cancel.
  void run_due(Instant now);
  size_t size() const { return slots_.size() - free_.size(); }

 private:
  struct Slot {
    std::function<void()> callback;
    uint32_t generation = 0;  // bumped at each use: a stale Id or heap entry does not match
    bool live = false;
  };
  struct Entry {
    Instant due;
    uint64_t sequence;
    uint32_t slot;
    uint32_t generation;
  };
  static bool later(const Entry& a, const Entry& b) {
    return a.due != b.due ? a.due > b.due : a.sequence > b.sequence;
  }
  bool current(const Entry& e) const {
    return slots_[e.slot].live && slots_[e.slot].generation == e.generation;
  }
  void release(uint32_t slot);
  void drop_cancelled();

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  uint64_t next_sequence_ = 0;
};

}  // namespace vsd::health

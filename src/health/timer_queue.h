#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <unordered_map>
#include <vector>

#include "common/time.h"

namespace vsd::health {

// The checkers' timers: a binary heap, so that 10,000 checkers each firing every second cost
// O(log n) per timer instead of a scan of every timer per wake-up. Cancelled timers are dropped
// lazily when they reach the top. Single-threaded (the control loop).
class TimerQueue {
 public:
  using Id = uint64_t;

  Id schedule(Instant due, std::function<void()> callback);
  void cancel(Id id);
  // The earliest live deadline, if any.
  std::optional<Instant> next_due();
  // Runs every timer due at or before `now`, earliest first; callbacks may schedule or cancel.
  void run_due(Instant now);
  size_t size() const { return callbacks_.size(); }

 private:
  struct Entry {
    Instant due;
    Id id;
    bool operator>(const Entry& other) const {
      return due != other.due ? due > other.due : id > other.id;
    }
  };
  void drop_cancelled();

  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap_;
  std::unordered_map<Id, std::function<void()>> callbacks_;
  Id next_id_ = 1;
};

}  // namespace vsd::health

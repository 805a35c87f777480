#pragma once

#include "common/time.h"
#include "health/io.h"
#include "health/timer_queue.h"

namespace vsd::health {

// Io on a ManualClock for the timing tests: timers run when the test advances time; there are
// no sockets.
class ManualIo final : public Io {
 public:
  Instant now() const override { return clock_.now(); }
  TimerQueue::Id after(Duration delay, std::function<void()> callback) override {
    return timers_.schedule(clock_.now() + delay, std::move(callback));
  }
  void cancel(TimerQueue::Id id) override { timers_.cancel(id); }
  bool watch(int, uint32_t, FdHandler) override { return false; }
  void rewatch(int, uint32_t) override {}
  void unwatch(int) override {}

  // Moves time forward, running each timer at its own due time.
  void advance(Duration by) {
    const Instant end = clock_.now() + by;
    while (auto due = timers_.next_due()) {
      if (*due > end) break;
      clock_.set(*due);
      timers_.run_due(*due);
    }
    clock_.set(end);
  }

 private:
  ManualClock clock_;
  TimerQueue timers_;
};

}  // namespace vsd::health

#pragma once

#include <cstdint>
#include <functional>

#include "common/time.h"
#include "health/timer_queue.h"

namespace vsd::health {

// What a checker needs from the control loop: the time, timers, and readiness of its sockets.
// Live it is LoopIo (the daemon's EventLoop); unit tests drive timers from a ManualClock.
class Io {
 public:
  using FdHandler = std::function<void(uint32_t events)>;
  virtual ~Io() = default;
  virtual Instant now() const = 0;
  virtual TimerQueue::Id after(Duration delay, std::function<void()> callback) = 0;
  virtual void cancel(TimerQueue::Id id) = 0;
  // Returns false when fd cannot be watched (the caller then fails its check).
  virtual bool watch(int fd, uint32_t events, FdHandler handler) = 0;
  virtual void rewatch(int fd, uint32_t events) = 0;
  virtual void unwatch(int fd) = 0;
};

}  // namespace vsd::health

#pragma once

#include "common/event_loop.h"
#include "health/io.h"

namespace vsd::health {

// Io on the daemon's EventLoop. The checkers' timers live in one TimerQueue; the loop holds a
// single timer for the queue's earliest deadline, re-armed whenever that deadline moves.
class LoopIo final : public Io {
 public:
  explicit LoopIo(EventLoop& loop) : loop_(loop) {}
  ~LoopIo() override;
  LoopIo(const LoopIo&) = delete;
  LoopIo& operator=(const LoopIo&) = delete;

  Instant now() const override { return loop_.now(); }
  TimerQueue::Id after(Duration delay, std::function<void()> callback) override;
  void cancel(TimerQueue::Id id) override { timers_.cancel(id); }
  bool watch(int fd, uint32_t events, FdHandler handler) override;
  void rewatch(int fd, uint32_t events) override;
  void unwatch(int fd) override { loop_.remove(fd); }

 private:
  void arm();
  void fire();

  EventLoop& loop_;
  TimerQueue timers_;
  EventLoop::TimerId loop_timer_ = 0;
  Instant armed_for_ = Instant::max();
  bool firing_ = false;  // run_due in progress: arm once at its end, not per new timer
};

}  // namespace vsd::health

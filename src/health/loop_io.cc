#include "health/loop_io.h"

namespace vsd::health {

LoopIo::~LoopIo() {
  if (loop_timer_) loop_.cancel_timer(loop_timer_);
}

TimerQueue::Id LoopIo::after(Duration delay, std::function<void()> callback) {
  const Instant due = now() + delay;
  const auto id = timers_.schedule(due, std::move(callback));
  if (!firing_ && due < armed_for_) arm();
  return id;
}

bool LoopIo::watch(int fd, uint32_t events, FdHandler handler) {
  return loop_.add(fd, events, std::move(handler)).ok();
}

void LoopIo::rewatch(int fd, uint32_t events) {
  [[maybe_unused]] Status s = loop_.modify(fd, events);
}

void LoopIo::arm() {
  if (loop_timer_) loop_.cancel_timer(loop_timer_);
  loop_timer_ = 0;
  armed_for_ = Instant::max();
  const auto due = timers_.next_due();
  if (!due) return;
  armed_for_ = *due;
  const Duration wait = std::max(Duration{0}, *due - now());
  loop_timer_ = loop_.add_timer(wait, [this] { fire(); });
}

void LoopIo::fire() {
  loop_timer_ = 0;
  armed_for_ = Instant::max();
  firing_ = true;
  timers_.run_due(now());
  firing_ = false;
  arm();
}

}  // namespace vsd::health

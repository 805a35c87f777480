#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "common/result.h"
#include "common/time.h"

namespace vsd {

// A single-threaded epoll loop with timers. Each control-side thread (the control loop, the HA
// loop) owns one; nothing here is shared between threads except stop(), which may be called
// from anywhere (it writes to an eventfd).
class EventLoop {
 public:
  using Handler = std::function<void(uint32_t events)>;
  using TimerId = uint64_t;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches fd for `events` (EPOLLIN, EPOLLOUT, ...). The loop does not own fd.
  Status add(int fd, uint32_t events, Handler handler);
  Status modify(int fd, uint32_t events);
  void remove(int fd);

  // One-shot timer after `delay`; repeat > 0 makes it periodic. Timers run on the loop's clock.
  TimerId add_timer(Duration delay, std::function<void()> callback, Duration repeat = Duration{0});
  void cancel_timer(TimerId id);

  // Runs until stop(). Returns an error only if epoll itself fails.
  Status run();
  void stop();
  Instant now() const { return clock_.now(); }

 private:
  void run_due_timers();
  int next_timeout_ms() const;

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::atomic<bool> stopping_{false};
  SteadyClock clock_;
  // Handlers by fd (fds are small and reused): no node or control block per add(). A deque so
  // that a handler running while another add() grows the table is not moved under its feet.
  struct Watch {
    Handler handler;
    bool live = false;
  };
  std::deque<Watch> watches_;
  int dispatching_ = -1;          // the fd whose handler runs now
  std::vector<Handler> retired_;  // handlers removed while running, freed after they return
  struct Timer {
    Instant due;
    Duration repeat;
    std::function<void()> callback;
  };
  std::map<TimerId, Timer> timers_;
  TimerId next_timer_ = 1;
};

}  // namespace vsd

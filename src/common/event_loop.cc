#include "common/event_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vsd {

EventLoop::EventLoop() {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = wake_fd_;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
}

EventLoop::~EventLoop() {
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Status EventLoop::add(int fd, uint32_t events, Handler handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    return Error{std::string("epoll_ctl add: ") + std::strerror(errno), errno};
  if (static_cast<size_t>(fd) >= watches_.size()) watches_.resize(static_cast<size_t>(fd) + 1);
  watches_[static_cast<size_t>(fd)] = Watch{std::move(handler), true};
  return ok_status();
}

Status EventLoop::modify(int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0)
    return Error{std::string("epoll_ctl mod: ") + std::strerror(errno), errno};
  return ok_status();
}

void EventLoop::remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  if (fd < 0 || static_cast<size_t>(fd) >= watches_.size()) return;
  Watch& w = watches_[static_cast<size_t>(fd)];
  if (!w.live) return;
  w.live = false;
  if (fd == dispatching_) retired_.push_back(std::move(w.handler));  // it is running: keep it
  w.handler = nullptr;
}

EventLoop::TimerId EventLoop::add_timer(Duration delay, std::function<void()> callback,
                                        Duration repeat) {
  const TimerId id = next_timer_++;
  timers_[id] = Timer{now() + delay, repeat, std::move(callback)};
  return id;
}

void EventLoop::cancel_timer(TimerId id) {
  timers_.erase(id);
}

void EventLoop::stop() {
  stopping_ = true;
  const uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof(one));
}

int EventLoop::next_timeout_ms() const {
  if (timers_.empty()) return -1;
  Instant earliest = Instant::max();
  for (const auto& [id, t] : timers_) earliest = std::min(earliest, t.due);
  const auto wait = earliest - now();
  if (wait <= Duration{0}) return 0;
  // Round up so that a timer is never run early.
  return static_cast<int>((wait.count() + 999'999) / 1'000'000);
}

void EventLoop::run_due_timers() {
  const Instant t = now();
  std::vector<TimerId> due;
  for (const auto& [id, timer] : timers_)
    if (timer.due <= t) due.push_back(id);
  for (TimerId id : due) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;  // cancelled by an earlier callback
    auto callback = it->second.callback;
    if (it->second.repeat > Duration{0}) {
      it->second.due += it->second.repeat;
      if (it->second.due <= t) it->second.due = t + it->second.repeat;  // fell behind: no burst
    } else {
      timers_.erase(it);
    }
    callback();
  }
}

Status EventLoop::run() {
  // A stop() that arrives before run() starts still counts; the request is consumed on return.
  epoll_event events[32];
  while (!stopping_) {
    const int n = epoll_wait(epoll_fd_, events, 32, next_timeout_ms());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{std::string("epoll_wait: ") + std::strerror(errno), errno};
    }
    for (int i = 0; i < n && !stopping_; ++i) {
      const int fd = events[i].data.fd;
      if (fd == wake_fd_) {
        uint64_t value;
        [[maybe_unused]] auto r = read(wake_fd_, &value, sizeof(value));
        continue;
      }
      if (fd < 0 || static_cast<size_t>(fd) >= watches_.size()) continue;
      Watch& w = watches_[static_cast<size_t>(fd)];
      if (!w.live) continue;
      dispatching_ = fd;
      w.handler(events[i].events);
      dispatching_ = -1;
      retired_.clear();
    }
    run_due_timers();
  }
  stopping_ = false;
  return ok_status();
}

}  // namespace vsd

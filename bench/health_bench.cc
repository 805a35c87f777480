// 10,000 TCP_CHECK checkers, each every second, on one control thread (keepalived's scale
// question): how late do checks start against their schedule, and how much of a core does the
// control thread use? Listeners on loopback are served by a second thread that only accepts.
//   vsd_health_bench [checkers=10000] [seconds=10]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "common/event_loop.h"
#include "health/checker.h"
#include "health/checkers.h"
#include "health/loop_io.h"
#include "health/script_runner.h"

namespace {

using namespace vsd;

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct Tally : health::CheckerEvents {
  bool measuring = false;
  std::vector<Duration> lateness;
  uint64_t ok = 0, failed = 0;
  void launched(const health::Checker&, Duration late) override {
    if (measuring) lateness.push_back(late);
  }
  void finished(health::Checker&, const health::ProbeResult& r, bool) override {
    if (!measuring) return;
    (r.ok ? ok : failed)++;
  }
};

}  // namespace

int main(int argc, char** argv) {
  const int checkers = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int run_seconds = argc > 2 ? std::atoi(argv[2]) : 10;
  constexpr int kListeners = 64;
  std::vector<int> listeners;
  std::vector<uint16_t> ports;
  const int accept_epoll = epoll_create1(0);
  for (int i = 0; i < kListeners; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    listen(fd, 4096);
    socklen_t len = sizeof(sa);
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    ports.push_back(ntohs(sa.sin_port));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(accept_epoll, EPOLL_CTL_ADD, fd, &ev);
    listeners.push_back(fd);
  }
  std::atomic<bool> stop{false};
  std::thread acceptor([&] {
    epoll_event events[64];
    while (!stop) {
      const int n = epoll_wait(accept_epoll, events, 64, 100);
      for (int i = 0; i < n; ++i) {
        int c;
        while ((c = accept(events[i].data.fd, nullptr, nullptr)) >= 0) close(c);
      }
    }
  });

  EventLoop loop;
  health::LoopIo io(loop);
  health::ScriptRunner scripts(io);
  Tally tally;
  auto spec = health::tcp_check_spec();
  SplitMix64 jitter(42);
  health::CheckTiming timing;
  timing.delay_loop = seconds(1);
  timing.connect_timeout = seconds(1);
  timing.retry = 0;
  std::vector<std::unique_ptr<health::Checker>> all;
  for (int i = 0; i < checkers; ++i) {
    health::ConnectTarget target;
    target.destination = Endpoint{*IpAddress::parse("127.0.0.1"), ports[i % kListeners]};
    all.push_back(std::make_unique<health::Checker>(
        io, timing, spec->make(target, health::ProbeEnv{io, scripts}), tally));
    all.back()->start(jitter);
  }
  double cpu_start = 0;
  Instant wall_start{};
  // Two seconds to settle (every checker has started), then measure.
  loop.add_timer(seconds(2), [&] {
    tally.measuring = true;
    cpu_start = thread_cpu_seconds();
    wall_start = loop.now();
  });
  loop.add_timer(seconds(2 + run_seconds), [&] { loop.stop(); });
  (void)loop.run();
  const double cpu = thread_cpu_seconds() - cpu_start;
  const double wall = std::chrono::duration<double>(loop.now() - wall_start).count();
  stop = true;
  acceptor.join();
  all.clear();

  auto& late = tally.lateness;
  std::sort(late.begin(), late.end());
  auto pct = [&](double p) {
    if (late.empty()) return 0.0;
    const size_t i =
        std::min(late.size() - 1, static_cast<size_t>(p * static_cast<double>(late.size())));
    return std::chrono::duration<double, std::milli>(late[i]).count();
  };
  std::printf("checkers %d, delay_loop 1 s, measured %.1f s\n", checkers, wall);
  std::printf("checks %zu (%.0f/s): ok %llu, failed %llu\n", late.size(),
              static_cast<double>(late.size()) / wall, static_cast<unsigned long long>(tally.ok),
              static_cast<unsigned long long>(tally.failed));
  std::printf("lateness against schedule: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", pct(0.5),
              pct(0.99), late.empty() ? 0.0 : pct(1.0));
  std::printf("control thread CPU: %.1f %% of one core\n", 100.0 * cpu / wall);
  for (int fd : listeners) close(fd);
  close(accept_epoll);
  return 0;
}

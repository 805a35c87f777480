// 10,000 TCP_CHECK checkers, each every second, on one control thread (keepalived's scale
// question): how late do checks start against their schedule, and how much of a core does the
// control thread use? Target: p99 lateness <= 50 ms, < 20 % of one core.
//
// Where the real servers live decides what the CPU figure means. On loopback the kernel runs the
// real servers' side of every handshake and close (SYN to the listener, the child socket, the FIN)
// in the connecting thread's system calls, so the control thread is charged for the servers' TCP
// work as well as its own. As root, the listeners go into a network namespace behind a veth pair
// whose receive side is steered (RPS) to another CPU: the servers' work runs there, as it would on
// other machines, and the control thread's CPU is the director's share. Both report user and
// system time separately, plus the softirq time of the control thread's CPU.
//   vsd_bench_health [checkers=10000] [seconds=10] [--loopback]
// (google-benchmark flags from `make bench` are ignored.)
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/event_loop.h"
#include "health/checker.h"
#include "health/checkers.h"
#include "health/loop_io.h"
#include "health/script_runner.h"

namespace {

using namespace vsd;

struct ThreadCpu {
  double user = 0, system = 0;
};

ThreadCpu thread_cpu() {
  rusage r{};
  getrusage(RUSAGE_THREAD, &r);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
  };
  return ThreadCpu{s(r.ru_utime), s(r.ru_stime)};
}

// Softirq seconds spent on `cpu` so far (/proc/stat, USER_HZ ticks).
double softirq_seconds(int cpu) {
  std::ifstream in("/proc/stat");
  const std::string want = "cpu" + std::to_string(cpu) + " ";
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(want)) continue;
    std::istringstream fields(line.substr(want.size()));
    unsigned long long v[7] = {};
    for (auto& x : v) fields >> x;
    return static_cast<double>(v[6]) / static_cast<double>(sysconf(_SC_CLK_TCK));
  }
  return 0;
}

void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

int sh(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

// A network namespace with the real servers' address behind a veth pair; gone with the object.
class ServerNamespace {
 public:
  ServerNamespace(int server_cpu) {
    const std::string id = std::to_string(getpid());
    name_ = "vsdhb" + id;
    const std::string here = "vhb" + id + "a", there = "vhb" + id + "b";
    ok_ = sh("ip netns add " + name_) == 0;
    created_ = ok_;
    ok_ = ok_ &&
          sh("ip link add " + here + " type veth peer name " + there + " netns " + name_) == 0 &&
          sh("ip addr add 10.254.0.1/24 dev " + here + " && ip link set " + here + " up") == 0 &&
          sh("ip -n " + name_ + " addr add 10.254.0.2/24 dev " + there + " && ip -n " + name_ +
             " link set " + there + " up && ip -n " + name_ + " link set lo up") == 0 &&
          sh("ip netns exec " + name_ + " sh -c 'echo " + std::to_string(1 << server_cpu) +
             " > /sys/class/net/" + there + "/queues/rx-0/rps_cpus'") == 0;
  }
  ~ServerNamespace() {
    if (created_) sh("ip netns del " + name_);
  }
  bool ok() const { return ok_; }
  // Moves the calling thread into the namespace (sockets it makes from now on live there).
  bool enter() const {
    const int fd = open(("/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool entered = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    return entered;
  }

 private:
  std::string name_;
  bool ok_ = false, created_ = false;
};

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
  std::vector<int> numbers;
  bool loopback = geteuid() != 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--loopback")
      loopback = true;
    else if (!a.starts_with("--"))
      numbers.push_back(std::atoi(a.c_str()));
  }
  const int checkers = numbers.size() > 0 ? numbers[0] : 10000;
  const int run_seconds = numbers.size() > 1 ? numbers[1] : 10;
  const int cpus = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  const int control_cpu = cpus - 1, server_cpu = 0;

  std::unique_ptr<ServerNamespace> ns;
  if (!loopback) {
    ns = std::make_unique<ServerNamespace>(server_cpu);
    if (!ns->ok()) {
      std::printf("(network namespace unavailable: real servers on loopback)\n");
      ns.reset();
      loopback = true;
    }
  }
  const char* server_address = loopback ? "127.0.0.1" : "10.254.0.2";

  constexpr int kListeners = 64;
  std::vector<int> listeners;
  std::vector<uint16_t> ports;
  std::atomic<bool> ready{false}, stop{false};
  // The real servers: one thread that only accepts and closes, on its own CPU (and namespace).
  std::thread acceptor([&] {
    pthread_setname_np(pthread_self(), "real-servers");
    if (cpus > 1) pin(server_cpu);
    if (ns && !ns->enter()) std::fprintf(stderr, "setns failed\n");
    const int accept_epoll = epoll_create1(0);
    for (int i = 0; i < kListeners; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      inet_pton(AF_INET, server_address, &sa.sin_addr);
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
    ready = true;
    epoll_event events[64];
    while (!stop) {
      const int n = epoll_wait(accept_epoll, events, 64, 100);
      for (int i = 0; i < n; ++i) {
        int c;
        while ((c = accept(events[i].data.fd, nullptr, nullptr)) >= 0) close(c);
      }
    }
    for (int fd : listeners) close(fd);
    close(accept_epoll);
  });
  while (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (cpus > 1) pin(control_cpu);

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
    target.destination = Endpoint{*IpAddress::parse(server_address), ports[i % kListeners]};
    all.push_back(std::make_unique<health::Checker>(
        io, timing, spec->make(target, health::ProbeEnv{io, scripts}), tally));
    all.back()->start(jitter);
  }
  double load[3] = {};
  getloadavg(load, 3);
  ThreadCpu cpu_start;
  double softirq_start = 0;
  Instant wall_start{};
  // Two seconds to settle (every checker has started), then measure.
  loop.add_timer(seconds(2), [&] {
    tally.measuring = true;
    cpu_start = thread_cpu();
    softirq_start = softirq_seconds(control_cpu);
    wall_start = loop.now();
  });
  loop.add_timer(seconds(2 + run_seconds), [&] { loop.stop(); });
  (void)loop.run();
  const ThreadCpu cpu_end = thread_cpu();
  const double softirq = softirq_seconds(control_cpu) - softirq_start;
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
  const double user = 100.0 * (cpu_end.user - cpu_start.user) / wall;
  const double system = 100.0 * (cpu_end.system - cpu_start.system) / wall;
  std::printf(
      "checkers %d, delay_loop 1 s, measured %.1f s; real servers %s; load average "
      "%.2f %.2f %.2f at start\n",
      checkers, wall,
      loopback ? "on loopback (their TCP work is charged to the control thread)"
               : "in a network namespace, RPS to another CPU",
      load[0], load[1], load[2]);
  std::printf("checks %zu (%.0f/s): ok %llu, failed %llu\n", late.size(),
              static_cast<double>(late.size()) / wall, static_cast<unsigned long long>(tally.ok),
              static_cast<unsigned long long>(tally.failed));
  std::printf("lateness against schedule: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", pct(0.5),
              pct(0.99), late.empty() ? 0.0 : pct(1.0));
  std::printf(
      "control thread CPU (cpu %d): %.1f %% of one core (user %.1f %%, system %.1f %%); "
      "softirq on that CPU %.1f %%\n",
      control_cpu, user + system, user, system, 100.0 * softirq / wall);
  const bool met = pct(0.99) <= 50.0 && user + system < 20.0;
  std::printf("target p99 <= 50 ms and < 20 %% of a core: %s\n", met ? "met" : "NOT met");
  return 0;
}

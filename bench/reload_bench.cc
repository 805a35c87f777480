// keepalived.conf at scale: 10,000 virtual services with 100,000 real servers (keepalived issue
// #2318 saw a reload die at 2,284 services and 37,298 real servers). Measures what the daemon
// does: read and check the file, build the model, apply it, publish a snapshot; then a reload
// after a one-line change (the whole file read again, only the difference applied).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/parser.h"
#include "config/reload.h"
#include "core/snapshot.h"
#include "daemon/config_loader.h"
#include "sched/catalog.h"

namespace {

using namespace vsd;

std::string big_configuration(int services, int servers_per_service, int changed_weight) {
  std::ostringstream out;
  for (int s = 0; s < services; ++s) {
    out << "virtual_server 10." << (s >> 8 & 255) << "." << (s & 255) << ".1 80 {\n"
        << "  delay_loop 6\n  lb_algo wlc\n  lb_kind NAT\n  protocol TCP\n";
    for (int r = 0; r < servers_per_service; ++r) {
      const int weight = (s == 0 && r == 0) ? changed_weight : 1;
      out << "  real_server 172." << (16 + (s >> 12)) << "." << (s >> 4 & 255) << "."
          << ((s & 15) * 16 + r) << " 80 {\n    weight " << weight
          << "\n    TCP_CHECK {\n      connect_timeout 3\n    }\n  }\n";
    }
    out << "}\n";
  }
  return out.str();
}

struct Files {
  Files() {
    dir = std::filesystem::temp_directory_path() / ("vsd-reload-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "before.conf") << big_configuration(10'000, 10, 1);
    std::ofstream(dir / "after.conf") << big_configuration(10'000, 10, 5);
  }
  ~Files() { std::filesystem::remove_all(dir); }
  std::filesystem::path dir;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void load_and_reload(benchmark::State& state) {
  Files files;
  for (auto _ : state) {
    core::Model running(sched::catalog());
    core::SnapshotPublisher publisher;
    config::Diagnostics d;

    auto start = std::chrono::steady_clock::now();
    auto first = daemon::load_configuration((files.dir / "before.conf").string(),
                                            config::LexOptions{"bench"}, sched::catalog(), d);
    if (!first || !running.apply(config::diff(running, *first->model)).ok()) {
      state.SkipWithError("load failed");
      return;
    }
    publisher.publish(core::Snapshot::build(running, nullptr, sched::catalog()));
    state.counters["initial_load_s"] = seconds_since(start);

    // The reload, phase by phase: read and parse the file, check it into a model, apply the
    // difference and publish.
    start = std::chrono::steady_clock::now();
    auto parsed =
        config::parse_file((files.dir / "after.conf").string(), config::LexOptions{"bench"}, d);
    const double parse_s = seconds_since(start);
    auto checkpoint = std::chrono::steady_clock::now();
    auto desired = parsed ? config::to_model(*parsed, sched::catalog(), d) : nullptr;
    const double check_s = seconds_since(checkpoint);
    checkpoint = std::chrono::steady_clock::now();
    const auto changes = desired ? config::diff(running, *desired) : std::vector<core::Change>{};
    if (changes.size() != 1 || !running.apply(changes).ok()) {
      state.SkipWithError("reload did not find exactly one change");
      return;
    }
    publisher.publish(core::Snapshot::build(running, publisher.current().get(), sched::catalog()));
    state.counters["reload_apply_s"] = seconds_since(checkpoint);
    state.counters["reload_parse_s"] = parse_s;
    state.counters["reload_check_s"] = check_s;
    state.counters["one_line_reload_s"] = seconds_since(start);

    start = std::chrono::steady_clock::now();
    const auto none = config::diff(running, *desired);
    running.apply(none).ok();
    publisher.publish(core::Snapshot::build(running, publisher.current().get(), sched::catalog()));
    state.counters["diff_apply_publish_only_s"] = seconds_since(start);
    state.counters["services"] = static_cast<double>(running.size());
  }
}

}  // namespace

BENCHMARK(load_and_reload)->Iterations(1)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

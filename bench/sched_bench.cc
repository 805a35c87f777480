// schedule() cost per new connection for every algorithm in the catalog, at 10, 100 and 1,000
// destinations. Each iteration is what a new connection costs the scheduler: pick, bind the
// connection to the pick (the load changes, so load-indexed schedulers do their update), and
// release a connection picked earlier so that the load stays steady.
#include <benchmark/benchmark.h>

#include <array>
#include <string>

#include "common/random.h"
#include "sched/catalog.h"
#include "support/pool.h"

namespace {

using vsd::testing::DestinationPool;

void schedule_with_churn(benchmark::State& state, std::string name) {
  const auto destinations = static_cast<int>(state.range(0));
  DestinationPool pool;
  vsd::SplitMix64 random(42);
  for (int i = 0; i < destinations; ++i) {
    const uint32_t octets = static_cast<uint32_t>(i + 1);
    pool.add("10." + std::to_string((octets >> 16) & 255) + "." +
                 std::to_string((octets >> 8) & 255) + "." + std::to_string(octets & 255),
             static_cast<int64_t>(1 + random.below(100)));
    DestinationPool::set_load(pool[static_cast<size_t>(i)], static_cast<uint32_t>(random.below(50)),
                              static_cast<uint32_t>(random.below(200)));
  }
  auto scheduler = vsd::sched::catalog().create(pool.spec(name));
  // A ring of connections in flight: each new one replaces the oldest.
  std::array<vsd::core::RealServer*, 1024> in_flight{};
  size_t next = 0;
  vsd::core::SchedulingInput input = vsd::testing::input_from("172.16.0.1");
  uint32_t client = 0xac100001;
  for (auto _ : state) {
    input.client_address = vsd::IpAddress::v4(client++);
    input.client_port = static_cast<uint16_t>(client);
    vsd::core::RealServer* chosen = scheduler->schedule(input);
    benchmark::DoNotOptimize(chosen);
    if (in_flight[next]) in_flight[next]->unbind_connection(false);
    if (chosen) chosen->bind_connection(false);
    in_flight[next] = chosen;
    next = (next + 1) % in_flight.size();
  }
  for (auto* d : in_flight)
    if (d) d->unbind_connection(false);
  state.SetItemsProcessed(state.iterations());
}

// Picks only, the load never changes: the floor under the figure above.
void schedule_only(benchmark::State& state, std::string name) {
  const auto destinations = static_cast<int>(state.range(0));
  DestinationPool pool;
  vsd::SplitMix64 random(7);
  for (int i = 0; i < destinations; ++i)
    pool.add("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1),
             static_cast<int64_t>(1 + random.below(100)));
  auto scheduler = vsd::sched::catalog().create(pool.spec(name));
  vsd::core::SchedulingInput input = vsd::testing::input_from("172.16.0.1");
  uint32_t client = 0xac100001;
  for (auto _ : state) {
    input.client_address = vsd::IpAddress::v4(client++);
    benchmark::DoNotOptimize(scheduler->schedule(input));
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

int main(int argc, char** argv) {
  for (std::string_view algorithm : vsd::sched::algorithm_names()) {
    const std::string name(algorithm);
    benchmark::RegisterBenchmark(("schedule_new_connection/" + name).c_str(), schedule_with_churn,
                                 name)
        ->Arg(10)
        ->Arg(100)
        ->Arg(1000);
    benchmark::RegisterBenchmark(("schedule_only/" + name).c_str(), schedule_only, name)
        ->Arg(10)
        ->Arg(1000);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

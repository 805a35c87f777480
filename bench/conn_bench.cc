// The connection table at 1M and 10M entries: established lookups (single and batched),
// inserts, a whole new connection (persistence check + schedule + insert + first packet), and
// memory per connection measured from the process (resident set before and after), not sizeof.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <vector>

#include "common/random.h"
#include "conn/connection_table.h"
#include "conn/new_connection.h"
#include "core/snapshot.h"
#include "sched/catalog.h"

namespace {

using namespace vsd;

size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// A virtual service with 10 NAT real servers, built the way the daemon builds it.
struct Service {
  explicit Service(const char* scheduler) : model(sched::catalog()) {
    core::ServiceConfig c;
    c.key = core::ServiceKey::virtual_address(core::Protocol::tcp,
                                              *IpAddress::parse("192.168.2.11"), 80);
    c.scheduler = scheduler;
    (void)model.apply(core::AddService{c});
    for (int i = 1; i <= 10; ++i) {
      core::DestinationConfig d;
      d.address = IpAddress::v4(0x0a0a0a00u + static_cast<uint32_t>(i));
      d.port = 80;
      d.method = core::ForwardMethod::masq;
      (void)model.apply(core::AddDestination{c.key, d});
    }
    snapshot = core::Snapshot::build(model, nullptr, sched::catalog());
    view = snapshot->services()[0].get();
  }
  core::Model model;
  std::shared_ptr<const core::Snapshot> snapshot;
  const core::ServiceView* view;
};

conn::InboundKey key_of(uint64_t i) {
  conn::InboundKey k;
  k.client = IpAddress::v4(0x0b000000u + static_cast<uint32_t>(i >> 14));
  k.client_port = static_cast<uint16_t>(1024 + (i & 0x3fff));
  k.virtual_address = IpAddress::v4(0xc0a8020bu);
  k.virtual_port = 80;
  return k;
}

// Fills a table with `count` established NAT connections spread over the service's servers.
std::unique_ptr<conn::ConnectionTable> filled_table(Service& service, uint32_t count, Instant now) {
  conn::TableConfig config;
  config.ipv4_capacity = count;
  config.ipv6_capacity = 1024;
  auto table = std::make_unique<conn::ConnectionTable>(config);
  for (uint32_t i = 0; i < count; ++i) {
    const auto k = key_of(i);
    conn::ConnectionSpec spec;
    spec.client = k.client;
    spec.client_port = k.client_port;
    spec.virtual_address = k.virtual_address;
    spec.virtual_port = 80;
    spec.destination = service.view->destinations[i % 10];
    spec.destination_port = 80;
    spec.method = core::ForwardMethod::masq;
    auto inserted = table->insert_connection(spec, now);
    inserted.connection.on_packet(conn::Direction::input, 0x02 /* SYN */, now);
  }
  return table;
}

void established_lookup(benchmark::State& state) {
  const auto count = static_cast<uint32_t>(state.range(0));
  Service service("rr");
  const Instant now{};
  auto table = filled_table(service, count, now);
  SplitMix64 random(1);
  std::vector<conn::InboundKey> keys(1 << 16);
  for (auto& k : keys) k = key_of(random.below(count));
  size_t i = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    conn::Connection c = table->lookup(keys[i++ & 0xffff], now);
    found += static_cast<bool>(c);
  }
  if (found != static_cast<uint64_t>(state.iterations())) state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(state.iterations());
  table->flush();
}

void established_lookup_batched(benchmark::State& state) {
  const auto count = static_cast<uint32_t>(state.range(0));
  constexpr size_t kBatch = 32;
  Service service("rr");
  const Instant now{};
  auto table = filled_table(service, count, now);
  SplitMix64 random(2);
  std::vector<conn::InboundKey> keys(1 << 16);
  for (auto& k : keys) k = key_of(random.below(count));
  std::vector<conn::Connection> out(kBatch);
  size_t i = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    table->lookup(std::span(keys).subspan((i++ * kBatch) & 0xffff, kBatch), now, out);
    for (auto& c : out) {
      found += static_cast<bool>(c);
      c.reset();
    }
  }
  if (found != static_cast<uint64_t>(state.iterations()) * kBatch)
    state.SkipWithError("a lookup missed");
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  table->flush();
}

// A new connection per iteration, as the data plane makes one for a SYN: persistence check,
// scheduler, insert, first packet through the state machine.
void new_connection(benchmark::State& state, const char* scheduler) {
  Service service(scheduler);
  constexpr uint32_t kCapacity = 4u << 20;
  conn::TableConfig config;
  config.ipv4_capacity = kCapacity;
  auto table = std::make_unique<conn::ConnectionTable>(config);
  Instant now{};
  uint64_t i = 0;
  for (auto _ : state) {
    if (i == kCapacity) {  // full: empty it off the clock and go on
      state.PauseTiming();
      now += seconds(1000);
      table->expire_all_due(now);
      i = 0;
      state.ResumeTiming();
    }
    const auto k = key_of(i++);
    conn::Flow flow{core::Protocol::tcp, k.client, k.client_port, k.virtual_address, 80, 0x02, {}};
    auto made = conn::create_connection(*table, *service.view, flow, now, 0);
    benchmark::DoNotOptimize(made.result);
  }
  state.SetItemsProcessed(state.iterations());
  table->flush();
}

// Resident memory per IPv4 connection, index included: the process's resident set grows by
// this much per connection when a table of `count` entries is made and filled.
void memory_per_connection(benchmark::State& state) {
  const auto count = static_cast<uint32_t>(state.range(0));
  Service service("rr");
  double bytes_per_connection = 0;
  for (auto _ : state) {
    const size_t before = resident_bytes();
    auto table = filled_table(service, count, Instant{});
    const size_t after = resident_bytes();
    bytes_per_connection = static_cast<double>(after - before) / count;
    table->flush();
  }
  state.counters["bytes_per_connection"] = bytes_per_connection;
}

// The floor under any single lookup that is not in cache: one dependent read from a random place
// in 256 MB (a pointer chase, so that the CPU cannot overlap the misses). A lookup in a big
// table makes two such reads, the bucket and then the entry; only batching (prefetch several
// packets' buckets before touching any) hides them.
void dependent_memory_read(benchmark::State& state) {
  const size_t slots = size_t{32} << 20;  // 32 Mi x 8 bytes
  std::vector<uint64_t> next(slots);
  // One random cycle through every slot (Sattolo's shuffle).
  for (size_t i = 0; i < slots; ++i) next[i] = i;
  SplitMix64 random(3);
  for (size_t i = slots - 1; i > 0; --i) std::swap(next[i], next[random.below(i)]);
  uint64_t at = 0;
  for (auto _ : state) {
    at = next[at];
    benchmark::DoNotOptimize(at);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(dependent_memory_read)->Unit(benchmark::kNanosecond);
BENCHMARK(established_lookup)->Arg(1 << 20)->Arg(10'000'000)->Unit(benchmark::kNanosecond);
BENCHMARK(established_lookup_batched)->Arg(1 << 20)->Arg(10'000'000)->Unit(benchmark::kNanosecond);
BENCHMARK_CAPTURE(new_connection, rr, "rr");
BENCHMARK_CAPTURE(new_connection, wlc, "wlc");
BENCHMARK(memory_per_connection)
    ->Arg(1 << 20)
    ->Arg(10'000'000)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();

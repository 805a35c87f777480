// The data-plane pipeline alone, in memory, on one core: parse, connection lookup (or schedule
// + insert), the forwarding method's rewrite, next hop and link header, per-destination
// counters. Targets (issue 3): established DR >= 10 Mpps, established NAT >= 5 Mpps, a new
// connection per packet >= 2 Mpps. Each iteration restores the frame from a template (the
// pipeline rewrites in place): a 64-byte copy, included in the figures.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "conn/connection_table.h"
#include "core/model.h"
#include "core/snapshot.h"
#include "dataplane/frames.h"
#include "dataplane/pipeline.h"
#include "sched/catalog.h"

namespace {

using namespace vsd;
using namespace vsd::dataplane;
using testing::Bytes;
using testing::FrameSpec;

constexpr size_t kBatch = 32;
constexpr uint32_t kHeadroom = 128;

DataplaneSettings settings() {
  DataplaneSettings s;
  InterfaceSettings eth;
  eth.name = "eth0";
  eth.mac = testing::mac(0x01);
  eth.ipv4 = *IpAddress::parse("10.10.10.1");
  eth.ipv4_prefix = 24;
  s.interfaces = {eth};
  s.routes = {{*IpAddress::parse("0.0.0.0"), 0, *IpAddress::parse("10.10.10.254"), 0}};
  s.neighbours.push_back({*IpAddress::parse("10.10.10.254"), testing::mac(0xfe, 0xfe), 0});
  for (uint32_t i = 1; i <= 10; ++i)
    s.neighbours.push_back({IpAddress::v4(0x0a0a0a00u + i), testing::mac(uint8_t(i), 1), 0});
  return s;
}

// A service with 10 real servers of one method, the data plane around it, and a set of frames.
struct Bench {
  Bench(core::ForwardMethod method, uint32_t table_capacity) : model(sched::catalog()) {
    core::ServiceConfig c;
    c.key = core::ServiceKey::virtual_address(core::Protocol::udp,
                                              *IpAddress::parse("192.168.2.11"), 80);
    c.scheduler = "rr";
    (void)model.apply(core::AddService{c});
    for (uint32_t i = 1; i <= 10; ++i) {
      core::DestinationConfig d;
      d.address = IpAddress::v4(0x0a0a0a00u + i);
      d.port = core::keeps_port(method) ? 80 : 8080;
      d.method = method;
      (void)model.apply(core::AddDestination{c.key, d});
    }
    snapshot = core::Snapshot::build(model, nullptr, sched::catalog());
    table = std::make_unique<conn::ConnectionTable>(conn::TableConfig{table_capacity, 1024, 7});
    table->timeouts().set(0, 0, 1);  // UDP: 1 s, so that the new-connection run recycles
    shared = std::make_unique<DataplaneShared>(settings(), *table);
    pipeline = std::make_unique<Pipeline>(*shared, 0);
  }

  // `flows` UDP frames of 64 bytes on the wire (18 bytes of payload), one per client endpoint.
  void make_frames(uint32_t flows) {
    for (uint32_t i = 0; i < flows; ++i) {
      FrameSpec s;
      s.protocol = 17;
      const uint32_t client = 0x0b000000u + (i >> 12);
      s.source = IpAddress::v4(client).to_string();
      s.source_port = static_cast<uint16_t>(1024 + (i & 0xfff));
      s.payload = 18;
      frames.push_back(testing::frame(s));
    }
    storage.assign(kBatch * 2048, 0);
  }

  // Runs frames[first .. first + kBatch) as one batch at `now`.
  void batch(size_t first, Instant now) {
    pipeline->begin_batch(now);
    for (size_t k = 0; k < kBatch; ++k) {
      const Bytes& f = frames[(first + k) % frames.size()];
      uint8_t* slot = storage.data() + k * 2048;
      std::memcpy(slot + kHeadroom, f.data(), f.size());
      buffers[k] = xmit::PacketBuffer({slot, 2048}, kHeadroom, static_cast<uint32_t>(f.size()));
    }
    pipeline->process_batch(buffers, rx, outcomes, *snapshot, now);
    benchmark::DoNotOptimize(outcomes.data());
  }

  std::array<xmit::PacketBuffer, kBatch> buffers;
  std::array<RxInfo, kBatch> rx{};
  std::array<Outcome, kBatch> outcomes{};
  core::Model model;
  std::shared_ptr<const core::Snapshot> snapshot;
  std::unique_ptr<conn::ConnectionTable> table;
  std::unique_ptr<DataplaneShared> shared;
  std::unique_ptr<Pipeline> pipeline;
  std::vector<Bytes> frames;
  std::vector<uint8_t> storage;
};

void established(benchmark::State& state, core::ForwardMethod method, Counter expected) {
  const auto flows = static_cast<uint32_t>(state.range(0));
  Bench b(method, flows * 2);
  b.make_frames(flows);
  const Instant start{seconds(1)};
  for (size_t i = 0; i < flows; i += kBatch) b.batch(i, start);  // opens every flow
  size_t next = 0;
  int64_t tick = 0;
  for (auto _ : state) {
    b.batch(next, start + microseconds(++tick));
    next += kBatch;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatch));
  if (b.pipeline->counters()[expected] < static_cast<uint64_t>(state.iterations()) * kBatch)
    state.SkipWithError("packets did not take the expected path");
}

void BM_EstablishedDr(benchmark::State& state) {
  established(state, core::ForwardMethod::route, Counter::forwarded_dr);
}
void BM_EstablishedNat(benchmark::State& state) {
  established(state, core::ForwardMethod::masq, Counter::forwarded_nat);
}
void BM_EstablishedTunnel(benchmark::State& state) {
  established(state, core::ForwardMethod::tunnel, Counter::forwarded_tunnel);
}

// Every packet opens a connection: 256K distinct flows, 20 us of simulated time per packet, so
// each flow's previous connection (UDP, 1 s) has expired when it comes round again (5.2 s).
void new_connections(benchmark::State& state, core::ForwardMethod method, Counter expected) {
  constexpr uint32_t kFlows = 1u << 18;
  Bench b(method, 1u << 20);
  b.make_frames(kFlows);
  size_t next = 0;
  int64_t packets = 0;
  const uint64_t before = b.pipeline->counters()[expected];
  for (auto _ : state) {
    b.batch(next, Instant{seconds(10) + microseconds(20 * packets)});
    next += kBatch;
    packets += kBatch;
  }
  state.SetItemsProcessed(packets);
  auto totals = b.model.services_in_order()[0]->runtime->stats.totals();
  state.counters["conns_per_packet"] =
      static_cast<double>(totals.conns) / static_cast<double>(packets ? packets : 1);
  if (b.pipeline->counters()[expected] - before < static_cast<uint64_t>(packets))
    state.SkipWithError("packets did not take the expected path");
}

void BM_NewConnectionDr(benchmark::State& state) {
  new_connections(state, core::ForwardMethod::route, Counter::forwarded_dr);
}
void BM_NewConnectionNat(benchmark::State& state) {
  new_connections(state, core::ForwardMethod::masq, Counter::forwarded_nat);
}

// Workers: each thread its own pipeline and flows, one shared connection table and snapshot, as
// the live data plane runs them. Items per second are summed over the threads.
void BM_EstablishedNatWorkers(benchmark::State& state) {
  constexpr uint32_t kFlowsPerWorker = 4096;
  constexpr unsigned kMaxWorkers = 2;
  static std::once_flag once;
  static std::unique_ptr<Bench> world;
  static std::vector<std::unique_ptr<Pipeline>> pipelines;
  std::call_once(once, [] {
    world = std::make_unique<Bench>(core::ForwardMethod::masq, kFlowsPerWorker * kMaxWorkers * 2);
    world->make_frames(kFlowsPerWorker * kMaxWorkers);
    for (unsigned w = 0; w < kMaxWorkers; ++w)
      pipelines.push_back(std::make_unique<Pipeline>(*world->shared, w));
    const Instant start{seconds(1)};
    for (size_t i = 0; i < world->frames.size(); i += kBatch) world->batch(i, start);
  });
  const auto worker = static_cast<size_t>(state.thread_index());
  Pipeline& pipeline = *pipelines[worker];
  std::vector<uint8_t> storage(kBatch * 2048);
  std::array<xmit::PacketBuffer, kBatch> buffers;
  std::array<RxInfo, kBatch> rx{};
  std::array<Outcome, kBatch> outcomes{};
  size_t next = 0;
  int64_t tick = 0;
  for (auto _ : state) {
    const Instant now{seconds(1) + microseconds(++tick)};
    pipeline.begin_batch(now);
    for (size_t k = 0; k < kBatch; ++k) {
      const Bytes& f = world->frames[worker * kFlowsPerWorker + (next + k) % kFlowsPerWorker];
      uint8_t* slot = storage.data() + k * 2048;
      std::memcpy(slot + kHeadroom, f.data(), f.size());
      buffers[k] = xmit::PacketBuffer({slot, 2048}, kHeadroom, static_cast<uint32_t>(f.size()));
    }
    pipeline.process_batch(buffers, rx, outcomes, *world->snapshot, now);
    benchmark::DoNotOptimize(outcomes.data());
    next += kBatch;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(kBatch));
}

BENCHMARK(BM_EstablishedDr)->Arg(64)->Arg(65536);
BENCHMARK(BM_EstablishedNat)->Arg(64)->Arg(65536);
BENCHMARK(BM_EstablishedTunnel)->Arg(65536);
BENCHMARK(BM_NewConnectionDr);
BENCHMARK(BM_NewConnectionNat);
BENCHMARK(BM_EstablishedNatWorkers)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

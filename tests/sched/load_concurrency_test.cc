// Behaviour matched: net/netfilter/ipvs/ip_vs_wlc.c (the choice once the threads are done)
//
// Workers schedule and bind, activate and unbind connections on one wlc scheduler at once, while
// schedulers for the same service are built and dropped (attaching to and detaching from the
// load board). Nothing may crash or race (the sanitizers watch), and once the threads are joined
// the scheduler's choice is the kernel scan's again.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "sched/catalog.h"
#include "sched/connection_load.h"
#include "sched/load_reference.h"
#include "support/pool.h"

namespace vsd::sched {
namespace {

using vsd::testing::ConnectionLoad;
using vsd::testing::describe;
using vsd::testing::DestinationPool;
using vsd::testing::input_from;

constexpr int kWorkers = 4;
constexpr int kConnectionsPerWorker = 4000;

void run_workers(core::Scheduler& scheduler, std::vector<ConnectionLoad>& loads,
                 const DestinationPool& pool) {
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      ConnectionLoad& load = loads[w];
      for (int i = 0; i < kConnectionsPerWorker; ++i) {
        if (core::RealServer* d = scheduler.schedule(input_from("172.16.0.1"))) load.open(d);
        load.step();
        if (load.random().below(4) == 0) load.step();
        if (load.random().below(50) == 0)
          load.open_template(pool[load.random().below(pool.size())]);
      }
    });
  }
  for (auto& t : workers) t.join();
}

TEST(LoadSchedulerConcurrency, ChoosesAsTheKernelScanOnceConcurrentWorkersAreDone) {
  DestinationPool pool;
  SplitMix64 random(42);
  for (size_t i = 0; i < 200; ++i) {
    const uint32_t upper = random.below(4) == 0 ? 20 + static_cast<uint32_t>(random.below(20)) : 0;
    pool.add(vsd::testing::address_for(i), static_cast<int64_t>(random.below(5)), 80, upper);
  }
  std::vector<ConnectionLoad> loads;
  for (int w = 0; w < kWorkers; ++w) loads.emplace_back(1000 + w);
  auto wlc = catalog().create(pool.spec("wlc"));

  // The index alone, kept current from every worker.
  run_workers(*wlc, loads, pool);
  EXPECT_EQ(describe(wlc->schedule(input_from("172.16.0.1"))),
            describe(vsd::testing::reference::wlc(pool.list())));

  // Now with the board's listener replaced again and again underneath.
  std::atomic<bool> done{false};
  std::thread replacer([&] {
    for (int i = 0; !done.load(); ++i) {
      auto other = catalog().create(pool.spec(i % 2 ? "wlc" : "lc"));
      other->schedule(input_from("172.16.0.2"));
    }
  });
  run_workers(*wlc, loads, pool);
  done = true;
  replacer.join();
  EXPECT_EQ(describe(wlc->schedule(input_from("172.16.0.1"))),
            describe(vsd::testing::reference::wlc(pool.list())));
  auto fresh = catalog().create(pool.spec("wlc"));
  EXPECT_EQ(describe(fresh->schedule(input_from("172.16.0.1"))),
            describe(vsd::testing::reference::wlc(pool.list())));

  // Every connection ends: no load, no OVERLOAD mark, and the first available destination wins.
  for (auto& load : loads) load.close_all();
  for (size_t i = 0; i < pool.size(); ++i) {
    EXPECT_EQ(pool[i]->active_connections() + pool[i]->inactive_connections(), 0u);
    EXPECT_FALSE(pool[i]->overloaded());
  }
  size_t first = 0;
  while (first < pool.size() && pool[first]->weight() == 0) ++first;
  ASSERT_LT(first, pool.size());
  EXPECT_EQ(fresh->schedule(input_from("172.16.0.1")), pool[first]);
  EXPECT_EQ(wlc->schedule(input_from("172.16.0.1")), pool[first]);
}

}  // namespace
}  // namespace vsd::sched

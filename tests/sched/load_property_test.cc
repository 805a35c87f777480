// Behaviour matched: net/netfilter/ipvs/ip_vs_lc.c, ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c,
// ip_vs_fo.c, ip_vs_ovf.c, include/net/ip_vs.h (ip_vs_dest_conn_overhead).
//
// Random pools of 1..1000 destinations under a random connection load: every choice of vsd's
// scheduler, through its load index (attached) and through its scan (not attached), must be the
// one the kernel's scan would make.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

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
using vsd::testing::reconfigure;

struct Round {
  uint64_t seed;
  size_t destinations;
  int64_t max_weight;  // small weights make ties common, large ones exercise the products
  size_t picks;
};

class LoadSchedulerProperty : public ::testing::TestWithParam<std::string_view> {
 protected:
  int64_t random_weight(SplitMix64& random, int64_t max_weight) {
    if (random.below(6) == 0) return 0;
    return 1 + static_cast<int64_t>(random.below(static_cast<uint64_t>(max_weight)));
  }

  // Mostly no thresholds; sometimes an upper one low enough to be reached, with or without a
  // lower one.
  void random_thresholds(SplitMix64& random, uint32_t& upper, uint32_t& lower) {
    upper = lower = 0;
    if (random.below(4) != 0) return;
    upper = 1 + static_cast<uint32_t>(random.below(12));
    if (random.below(2) == 0) lower = static_cast<uint32_t>(random.below(upper));
  }

  void run(const Round& round) {
    SCOPED_TRACE("seed " + std::to_string(round.seed) + ", " + std::to_string(round.destinations) +
                 " destinations");
    const auto reference = vsd::testing::reference::by_name(GetParam());
    ASSERT_NE(reference, nullptr);
    ConnectionLoad load(round.seed);
    SplitMix64& random = load.random();

    DestinationPool pool;
    for (size_t i = 0; i < round.destinations; ++i) {
      uint32_t upper, lower;
      random_thresholds(random, upper, lower);
      pool.add(vsd::testing::address_for(i), random_weight(random, round.max_weight), 80, upper,
               lower);
    }
    for (size_t i = 0; i < round.destinations; ++i)
      for (uint64_t k = random.below(4); k > 0; --k) load.open(pool[i]);
    for (size_t i = 0; i < round.destinations; ++i) load.step();

    // A scheduler for the whole list attaches first and numbers every destination; the list is
    // then edited (some removed, order changed) and two schedulers are built for the new list:
    // the second one built is the board's listener, the first falls back to its scan. The
    // removed destinations keep their connections, and their stale numbers.
    auto before = catalog().create(pool.spec(GetParam()));
    std::vector<core::RealServer*> list = pool.list();
    if (list.size() > 1) {
      std::erase_if(list, [&](core::RealServer*) { return random.below(10) == 0; });
      if (random.below(2) == 0)
        for (size_t i = list.size(); i > 1; --i) std::swap(list[i - 1], list[random.below(i)]);
    }
    const core::SchedulerSpec spec{GetParam(), 0, list, &pool.service_load()};
    auto scanning = catalog().create(spec);
    auto indexed = catalog().create(spec);
    before.reset();  // must not detach the listener that replaced it

    for (size_t pick = 0; pick < round.picks; ++pick) {
      if (pick == round.picks / 2) indexed.reset();  // no listener at all from here on
      core::RealServer* expected = reference(list);
      const auto in = input_from("172.16.0.1");
      if (indexed) {
        ASSERT_EQ(describe(indexed->schedule(in)), describe(expected)) << "pick " << pick;
      }
      ASSERT_EQ(describe(scanning->schedule(in)), describe(expected)) << "pick " << pick;
      if (expected) load.open(expected);

      for (uint64_t events = random.below(4); events > 0; --events) {
        core::RealServer* any = pool[random.below(pool.size())];
        const uint64_t what = random.below(100);
        if (what < 60) {
          load.step();
        } else if (what < 75) {
          load.open(any);
        } else if (what < 85) {
          load.open_template(any);
        } else if (what < 93) {
          reconfigure(any, random_weight(random, round.max_weight), any->upper_threshold(),
                      any->lower_threshold());
        } else {
          uint32_t upper, lower;
          random_thresholds(random, upper, lower);
          reconfigure(any, any->weight(), upper, lower);
        }
      }
    }
    load.close_all();
  }
};

TEST_P(LoadSchedulerProperty, ChoosesAsTheKernelScanForAnyPoolAndLoad) {
  const Round rounds[] = {
      {1, 1, 3, 300},         {2, 2, 2, 1000},     {3, 3, 4, 1000},    {4, 7, 1, 1000},
      {5, 16, 65535, 1000},   {6, 64, 3, 2000},    {7, 100, 50, 2000}, {8, 1000, 4, 2000},
      {9, 1000, 65535, 2000}, {10, 1000, 1, 2000}, {11, 513, 8, 2000},
  };
  for (const Round& round : rounds) {
    run(round);
    if (HasFatalFailure()) return;
  }
  SplitMix64 sizes(GetParam().size());
  for (uint64_t seed = 100; seed < 110; ++seed) {
    run({seed, 1 + sizes.below(1000), seed % 2 ? 6 : 1000, 1000});
    if (HasFatalFailure()) return;
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, LoadSchedulerProperty,
                         ::testing::Values("lc", "wlc", "sed", "nq", "fo", "ovf"),
                         [](const auto& algorithm) { return std::string(algorithm.param); });

}  // namespace
}  // namespace vsd::sched

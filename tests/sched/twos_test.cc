// Behaviour matched: net/netfilter/ipvs/ip_vs_twos.c (two draws in [0, total weight] walked
// over the available servers, the lower overhead/weight winning, the first draw on a tie).
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "common/random.h"
#include "sched/algorithms.h"
#include "sched/catalog.h"
#include "support/pool.h"

namespace vsd::sched {
namespace {

using vsd::testing::DestinationPool;
using vsd::testing::input_from;

// ip_vs_twos_schedule() written out plainly, drawing from the same generator.
core::RealServer* reference_twos(const std::vector<core::RealServer*>& list, SplitMix64& rng) {
  auto usable = [](const core::RealServer* d) { return !d->overloaded() && d->weight() > 0; };
  auto overhead = [](const core::RealServer* d) {
    return int64_t{d->active_connections()} * 256 + d->inactive_connections();
  };
  int64_t total = 0;
  core::RealServer* last = nullptr;
  for (core::RealServer* d : list)
    if (usable(d)) {
      total += d->weight();
      last = d;
    }
  if (!last) return nullptr;
  int64_t r1 = static_cast<int64_t>(rng.below(uint64_t(total) + 1));
  int64_t r2 = static_cast<int64_t>(rng.below(uint64_t(total) + 1));
  core::RealServer *c1 = last, *c2 = nullptr;
  int64_t w1 = -1, w2 = -1, o1 = 0, o2 = 0;
  for (core::RealServer* d : list) {
    if (!usable(d)) continue;
    r1 -= d->weight();
    r2 -= d->weight();
    if (r1 <= 0 && w1 == -1) {
      c1 = d;
      w1 = d->weight();
      o1 = overhead(d);
    }
    if (r2 <= 0 && w2 == -1) {
      c2 = d;
      w2 = d->weight();
      o2 = overhead(d);
    }
    if (w1 != -1 && w2 != -1) break;
  }
  return c2 && w2 * o1 > w1 * o2 ? c2 : c1;
}

TEST(TwoChoices, ReplaysTheKernelRulesExactlyWithTheSameGenerator) {
  SplitMix64 setup(0x7770);
  for (int round = 0; round < 30; ++round) {
    DestinationPool pool;
    const size_t n = 1 + setup.below(round % 5 == 0 ? 200 : 10);
    for (size_t i = 0; i < n; ++i)
      pool.add(IpAddress::v4(0x0a000001u + static_cast<uint32_t>(i)).to_string(),
               static_cast<int64_t>(setup.below(6)), 80, setup.below(4) == 0 ? 3 : 0);
    const uint64_t seed = setup.next();
    auto twos = make_power_of_two_choices(pool.spec("twos"), seed);
    SplitMix64 reference_rng(seed);
    for (int i = 0; i < 1000; ++i) {
      if (i % 7 == 0)
        DestinationPool::set_load(pool[setup.below(n)], static_cast<uint32_t>(setup.below(5)),
                                  static_cast<uint32_t>(setup.below(50)));
      if (i % 97 == 0)
        DestinationPool::set_weight(pool[setup.below(n)], static_cast<int64_t>(setup.below(6)));
      ASSERT_EQ(twos->schedule(input_from("172.16.0.1")),
                reference_twos(pool.list(), reference_rng))
          << "round " << round << " pick " << i;
    }
  }
}

TEST(TwoChoices, DefaultSeedComesFromTheListSoRunsReplay) {
  DestinationPool pool;
  for (int i = 1; i <= 5; ++i) pool.add("10.0.0." + std::to_string(i), i);
  auto a = catalog().create(pool.spec("twos"));
  auto b = make_power_of_two_choices(pool.spec("twos"), two_choices_seed(pool.spec("twos")));
  DestinationPool::set_load(pool[4], 0, 3);
  for (int i = 0; i < 200; ++i) ASSERT_EQ(a->schedule({}), b->schedule({}));
}

TEST(TwoChoices, SuccessorContinuesTheSequence) {
  DestinationPool pool;
  pool.add("10.0.0.1", 1);
  pool.add("10.0.0.2", 2);
  pool.add("10.0.0.3", 3);
  DestinationPool::set_load(pool[0], 0, 1);
  DestinationPool::set_load(pool[1], 0, 3);
  auto before = make_power_of_two_choices(pool.spec("twos"), 42);
  SplitMix64 rng(42);
  for (int i = 0; i < 10; ++i) ASSERT_EQ(before->schedule({}), reference_twos(pool.list(), rng));
  auto after = make_power_of_two_choices(pool.spec("twos"), 42);
  after->inherit(*before);
  for (int i = 0; i < 50; ++i) ASSERT_EQ(after->schedule({}), reference_twos(pool.list(), rng));
}

TEST(TwoChoices, IdleServersShareByWeight) {
  DestinationPool pool;
  const int weights[] = {1, 2, 3, 4};
  for (int i = 0; i < 4; ++i) pool.add("10.0.0." + std::to_string(i + 1), weights[i]);
  auto twos = catalog().create(pool.spec("twos"));
  std::map<core::RealServer*, int> count;
  constexpr int kPicks = 200'000;
  for (int i = 0; i < kPicks; ++i) ++count[twos->schedule({})];
  // With no load the first draw always stands; IPVS draws from [0, 10], so the first
  // server has one chance more than its weight.
  const double expected[] = {2.0 / 11, 2.0 / 11, 3.0 / 11, 4.0 / 11};
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(count[pool[i]] / double(kPicks), expected[i], 0.005) << "server " << i;
}

TEST(TwoChoices, TheLessLoadedOfTheTwoWins) {
  DestinationPool pool;
  pool.add("10.0.0.1", 1);
  pool.add("10.0.0.2", 1);
  pool.add("10.0.0.3", 1);
  DestinationPool::set_load(pool[0], 0, 10);
  DestinationPool::set_load(pool[1], 0, 5);
  auto twos = catalog().create(pool.spec("twos"));
  std::map<core::RealServer*, int> count;
  constexpr int kPicks = 200'000;
  for (int i = 0; i < kPicks; ++i) ++count[twos->schedule({})];
  // Draw shares 1/2, 1/4, 1/4: the busiest serves only when both draws fall on it, the idle
  // one whenever either does.
  EXPECT_NEAR(count[pool[0]] / double(kPicks), 1.0 / 4, 0.005);
  EXPECT_NEAR(count[pool[1]] / double(kPicks), 5.0 / 16, 0.005);
  EXPECT_NEAR(count[pool[2]] / double(kPicks), 7.0 / 16, 0.005);
}

TEST(TwoChoices, SkipsQuiescedAndOverloaded) {
  DestinationPool pool;
  pool.add("10.0.0.1", 0);
  pool.add("10.0.0.2", 5, 80, /*upper=*/1);
  pool.add("10.0.0.3", 1);
  DestinationPool::set_load(pool[1], 0, 1);
  ASSERT_TRUE(pool[1]->overloaded());
  auto twos = catalog().create(pool.spec("twos"));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(twos->schedule({}), pool[2]);
  DestinationPool::set_weight(pool[2], 0);
  EXPECT_EQ(twos->schedule({}), nullptr);
  DestinationPool empty;
  EXPECT_EQ(catalog().create(empty.spec("twos"))->schedule({}), nullptr);
}

TEST(TwoChoices, WorkersMayScheduleConcurrently) {
  DestinationPool pool;
  for (int i = 1; i <= 8; ++i) pool.add("10.0.0." + std::to_string(i), i);
  auto twos = catalog().create(pool.spec("twos"));
  std::atomic<int> none{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w)
    workers.emplace_back([&] {
      for (int i = 0; i < 20000; ++i)
        if (!twos->schedule({})) ++none;
    });
  for (auto& t : workers) t.join();
  EXPECT_EQ(none.load(), 0);
}

}  // namespace
}  // namespace vsd::sched

// Behaviour matched: net/netfilter/ipvs/ip_vs_wrr.c (ip_vs_wrr_schedule, ip_vs_wrr_dest_changed,
// gcd and max weight as init_svc computes them).
#include <gtest/gtest.h>

#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "sched/catalog.h"
#include "sched/connection_load.h"
#include "sched/picks.h"
#include "support/pool.h"

namespace vsd::sched {
namespace {

using vsd::testing::ConnectionLoad;
using vsd::testing::describe;
using vsd::testing::DestinationPool;
using vsd::testing::input_from;
using vsd::testing::picks;
using vsd::testing::reconfigure;
using vsd::testing::repeat;

// A, B, C = 10.1.1.1, .2, .3 with the given weights.
DestinationPool abc(int64_t a, int64_t b, int64_t c) {
  DestinationPool pool;
  pool.add("10.1.1.1", a);
  pool.add("10.1.1.2", b);
  pool.add("10.1.1.3", c);
  return pool;
}

TEST(WeightedRoundRobin, InterleavesByWeight) {
  DestinationPool pool = abc(1, 2, 3);
  auto wrr = catalog().create(pool.spec("wrr"));
  EXPECT_EQ(picks(*wrr, 18), repeat({"3", "2", "3", "1", "2", "3"}, 3));
}

TEST(WeightedRoundRobin, StepsByTheGreatestCommonDivisorOfTheWeights) {
  DestinationPool pool = abc(2, 4, 6);
  auto wrr = catalog().create(pool.spec("wrr"));
  EXPECT_EQ(picks(*wrr, 18), repeat({"3", "2", "3", "1", "2", "3"}, 3));
}

TEST(WeightedRoundRobin, SkipsQuiescedDestinations) {
  DestinationPool pool = abc(1, 0, 2);
  auto wrr = catalog().create(pool.spec("wrr"));
  EXPECT_EQ(picks(*wrr, 9), repeat({"3", "1", "3"}, 3));
}

TEST(WeightedRoundRobin, SkipsOverloadedDestinationsAndComesBackToThem) {
  DestinationPool pool;
  pool.add("10.1.1.1", 1);
  pool.add("10.1.1.2", 2);
  pool.add("10.1.1.3", 3, 80, /*upper=*/1);
  DestinationPool::set_load(pool[2], 0, 1);
  ASSERT_TRUE(pool[2]->overloaded());
  auto wrr = catalog().create(pool.spec("wrr"));
  EXPECT_EQ(picks(*wrr, 6), repeat({"2", "1", "2"}, 2));
  DestinationPool::set_load(pool[2], 0, 0);  // below 3/4 of the upper threshold: mark cleared
  ASSERT_FALSE(pool[2]->overloaded());
  // The pass at 1 goes on to C; then a new round of passes starts at 3.
  EXPECT_EQ(picks(*wrr, 3), (std::vector<std::string>{"3", "3", "2"}));
}

TEST(WeightedRoundRobin, AfterFindingNoneGoesOnFromWhereItsLastPassStopped) {
  DestinationPool pool;
  for (const char* a : {"10.1.1.1", "10.1.1.2", "10.1.1.3"}) pool.add(a, 1, 80, /*upper=*/1);
  auto wrr = catalog().create(pool.spec("wrr"));
  EXPECT_EQ(picks(*wrr, 1), (std::vector<std::string>{"1"}));
  DestinationPool::set_load(pool[0], 0, 1);
  EXPECT_EQ(picks(*wrr, 1), (std::vector<std::string>{"2"}));
  DestinationPool::set_load(pool[1], 0, 1);
  DestinationPool::set_load(pool[2], 0, 1);
  // The last pass, at weight 1, stops at B, where the call began: the next call starts after it.
  EXPECT_EQ(picks(*wrr, 1), (std::vector<std::string>{"none"}));
  DestinationPool::set_load(pool[0], 0, 0);
  DestinationPool::set_load(pool[2], 0, 0);
  EXPECT_EQ(picks(*wrr, 2), (std::vector<std::string>{"3", "1"}));
}

TEST(WeightedRoundRobin, NoneWhenEveryDestinationIsQuiescedOrOverloaded) {
  DestinationPool quiesced = abc(0, 0, 0);
  auto wrr = catalog().create(quiesced.spec("wrr"));
  EXPECT_EQ(picks(*wrr, 2), repeat({"none"}, 2));

  DestinationPool full;
  full.add("10.1.1.1", 0);
  full.add("10.1.1.2", 5, 80, /*upper=*/1);
  DestinationPool::set_load(full[1], 1, 0);
  auto wrr2 = catalog().create(full.spec("wrr"));
  EXPECT_EQ(picks(*wrr2, 2), repeat({"none"}, 2));

  DestinationPool empty;
  auto wrr3 = catalog().create(empty.spec("wrr"));
  EXPECT_EQ(picks(*wrr3, 1), repeat({"none"}, 1));
}

TEST(WeightedRoundRobin, StartsAgainFromTheListHeadWhenTheListChanges) {
  DestinationPool pool = abc(1, 1, 1);
  auto before = catalog().create(pool.spec("wrr"));
  EXPECT_EQ(picks(*before, 2), (std::vector<std::string>{"1", "2"}));
  pool.add("10.1.1.4", 1);
  auto after = catalog().create(pool.spec("wrr"));
  after->inherit(*before);
  EXPECT_EQ(picks(*after, 4), (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST(WeightedRoundRobin, KeepsItsCurrentWeightAlignedToTheNewStepWhenWeightsChange) {
  DestinationPool pool = abc(1, 2, 3);
  auto before = catalog().create(pool.spec("wrr"));
  EXPECT_EQ(picks(*before, 2), (std::vector<std::string>{"3", "2"}));  // current weight now 2
  for (size_t i = 0; i < 3; ++i) DestinationPool::set_weight(pool[i], 2 * pool[i]->weight());
  auto after = catalog().create(pool.spec("wrr"));
  after->inherit(*before);
  // Step 2, top 6 - 1 = 5: the current weight 2 becomes 2 / 2 * 2 + 1 = 3, so the next pass
  // takes B and C (weights 4 and 6), then the pass at 1 takes all three.
  EXPECT_EQ(picks(*after, 11),
            (std::vector<std::string>{"2", "3", "1", "2", "3", "3", "2", "3", "1", "2", "3"}));
}

TEST(WeightedRoundRobin, LowersACurrentWeightAboveTheNewMaximum) {
  DestinationPool pool = abc(1, 2, 3);
  auto before = catalog().create(pool.spec("wrr"));
  EXPECT_EQ(picks(*before, 1), (std::vector<std::string>{"3"}));  // current weight 3
  DestinationPool::set_weight(pool[2], 0);
  auto after = catalog().create(pool.spec("wrr"));
  after->inherit(*before);
  EXPECT_EQ(picks(*after, 6), repeat({"2", "1", "2"}, 2));
}

// Over one full period from a fresh start, with no thresholds, each destination is chosen
// weight / gcd times: the definition of weighted round robin, independent of the loop's shape.
TEST(WeightedRoundRobin, ChoosesEachDestinationInProportionToItsWeight) {
  SplitMix64 random(7);
  for (int round = 0; round < 30; ++round) {
    DestinationPool pool;
    const size_t n = 1 + random.below(round < 20 ? 12 : 300);
    int64_t gcd = 0;
    for (size_t i = 0; i < n; ++i) {
      const int64_t w = random.below(5) == 0 ? 0 : 2 * (1 + static_cast<int64_t>(random.below(9)));
      pool.add(vsd::testing::address_for(i), w);
      gcd = std::gcd(gcd, w);
    }
    auto wrr = catalog().create(pool.spec("wrr"));
    gcd = std::max<int64_t>(gcd, 1);  // all quiesced: no period at all
    int64_t period = 0;
    for (size_t i = 0; i < n; ++i) period += pool[i]->weight() / gcd;
    std::vector<int64_t> chosen(n, 0);
    for (int64_t k = 0; k < period; ++k) {
      core::RealServer* d = wrr->schedule(input_from("10.0.0.1"));
      ASSERT_NE(d, nullptr);
      for (size_t i = 0; i < n; ++i) chosen[i] += pool[i] == d;
    }
    for (size_t i = 0; i < n; ++i)
      EXPECT_EQ(chosen[i], pool[i]->weight() / gcd) << "round " << round;
    if (period == 0) {
      EXPECT_EQ(wrr->schedule(input_from("10.0.0.1")), nullptr);
    }
  }
}

// ip_vs_wrr.c's mark and its operations over a circular list with a head node, the way the
// kernel walks it: the reference for the property test below.
class KernelWrr {
 public:
  explicit KernelWrr(const std::vector<core::RealServer*>& list) {
    link(list);
    measure();
    cw_ = mw_;
  }
  void dest_changed(const std::vector<core::RealServer*>& list) {
    link(list);
    measure();
    if (cw_ > mw_ || cw_ == 0)
      cw_ = mw_;
    else if (di_ > 1)
      cw_ = (cw_ / di_) * di_ + 1;
  }
  core::RealServer* schedule() {
    Node* dest = cl_;
    if (mw_ == 0) return nullptr;
    Node* const last = dest;
    Node* stop = nullptr;
    bool last_pass = false;
    bool restarted = false;
    for (;;) {
      for (dest = dest->next; dest != head(); dest = dest->next) {
        if (!dest->server->overloaded() && dest->server->weight() >= cw_) {
          cl_ = dest;
          return dest->server;
        }
        if (dest == stop) {
          cl_ = dest;
          return nullptr;
        }
      }
      cw_ -= di_;
      if (cw_ <= 0) {
        cw_ = mw_;
        if (last_pass || last == head()) {
          cl_ = dest;
          return nullptr;
        }
        restarted = true;
      }
      last_pass = cw_ <= di_;
      if (last_pass && restarted && last != head()) stop = last;
    }
  }

 private:
  struct Node {
    core::RealServer* server = nullptr;
    Node* next = nullptr;
  };
  Node* head() { return &nodes_[0]; }
  void link(const std::vector<core::RealServer*>& list) {
    nodes_.assign(list.size() + 1, Node{});
    for (size_t i = 0; i < list.size(); ++i) nodes_[i + 1].server = list[i];
    for (size_t i = 0; i < nodes_.size(); ++i) nodes_[i].next = &nodes_[(i + 1) % nodes_.size()];
    cl_ = head();
  }
  void measure() {
    int g = 0;
    int max = 0;
    for (size_t i = 1; i < nodes_.size(); ++i) {
      const int w = nodes_[i].server->weight();
      if (w > 0) g = g > 0 ? std::gcd(w, g) : w;
      if (w > max) max = w;
    }
    di_ = g ? g : 1;
    mw_ = max - (di_ - 1);
  }

  std::vector<Node> nodes_;
  Node* cl_ = nullptr;
  int cw_ = 0, mw_ = 0, di_ = 1;
};

TEST(WeightedRoundRobin, ChoosesAsTheKernelLoopUnderLoadAndEdits) {
  const struct {
    uint64_t seed;
    size_t destinations;
    int64_t max_weight;
    size_t picks;
  } rounds[] = {{1, 1, 3, 200},   {2, 2, 4, 2000},    {3, 3, 1000, 2000}, {4, 5, 12, 3000},
                {5, 40, 6, 3000}, {6, 300, 20, 3000}, {7, 1000, 4, 2000}, {8, 1000, 1, 1000}};
  for (const auto& round : rounds) {
    SCOPED_TRACE("seed " + std::to_string(round.seed));
    ConnectionLoad load(round.seed);
    SplitMix64& random = load.random();
    auto weight = [&] {
      return random.below(6) == 0
                 ? 0
                 : 1 + static_cast<int64_t>(random.below(static_cast<uint64_t>(round.max_weight)));
    };
    DestinationPool pool;
    for (size_t i = 0; i < round.destinations; ++i) {
      const uint32_t upper = random.below(3) == 0 ? 1 + static_cast<uint32_t>(random.below(8)) : 0;
      pool.add(vsd::testing::address_for(i), weight(), 80, upper);
    }
    std::vector<core::RealServer*> list = pool.list();
    std::vector<core::RealServer*> removed;
    auto wrr = catalog().create(pool.spec("wrr"));
    KernelWrr kernel(list);

    for (size_t pick = 0; pick < round.picks; ++pick) {
      core::RealServer* expected = kernel.schedule();
      ASSERT_EQ(describe(wrr->schedule(input_from("10.0.0.1"))), describe(expected))
          << "pick " << pick;
      if (expected) load.open(expected);
      load.step();
      load.step();
      const uint64_t what = random.below(100);
      core::RealServer* any = pool[random.below(pool.size())];
      if (what < 3) {
        // An edit that reaches the scheduler: a new one inherits, the kernel's dest_changed runs.
        if (random.below(2) == 0) {
          reconfigure(any, weight(), any->upper_threshold(), 0);
        } else if (!removed.empty() && random.below(2) == 0) {
          list.push_back(removed.back());
          removed.pop_back();
        } else if (list.size() > 1) {
          const size_t i = random.below(list.size());
          removed.push_back(list[i]);
          list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
        }
        auto next = catalog().create(core::SchedulerSpec{"wrr", 0, list, &pool.service_load()});
        next->inherit(*wrr);
        wrr = std::move(next);
        kernel.dest_changed(list);
      } else if (what < 5) {
        // A weight that changes under a running scheduler (the race ip_vs_wrr.c allows for).
        reconfigure(any, weight(), any->upper_threshold(), 0);
      }
    }
    load.close_all();
  }
}

}  // namespace
}  // namespace vsd::sched

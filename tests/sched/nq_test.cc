// Behaviour matched: net/netfilter/ipvs/ip_vs_nq.c
#include <gtest/gtest.h>

#include "sched/catalog.h"
#include "sched/picks.h"
#include "support/pool.h"

namespace vsd::sched {
namespace {

using vsd::testing::DestinationPool;
using vsd::testing::Picks;
using vsd::testing::picks;
using vsd::testing::Then;

TEST(NeverQueue, SendsToAnIdleDestinationAtOnce) {
  DestinationPool pool;
  pool.add("10.1.1.1", 10);
  pool.add("10.1.1.2", 1);
  pool.add("10.1.1.3", 1);
  DestinationPool::set_load(pool[0], 1, 0);   // (1 + 1) / 10: the shortest expected delay
  DestinationPool::set_load(pool[1], 0, 50);  // idle: inactive connections do not count
  auto nq = catalog().create(pool.spec("nq"));
  EXPECT_EQ(picks(*nq, 1), Picks{"2"});
  auto sed = catalog().create(pool.spec("sed"));
  EXPECT_EQ(picks(*sed, 1), Picks{"1"});
}

TEST(NeverQueue, FillsIdleDestinationsFirstThenQueuesAsSed) {
  DestinationPool pool;
  pool.add("10.1.1.1", 1);
  pool.add("10.1.1.2", 4);
  auto nq = catalog().create(pool.spec("nq"));
  // A and B while idle; then B until (b + 1) / 4 reaches (1 + 1) / 1.
  EXPECT_EQ(picks(*nq, 9, Then::connect_active),
            (Picks{"1", "2", "2", "2", "2", "2", "2", "2", "1"}));
}

TEST(NeverQueue, SkipsQuiescedAndOverloadedIdleDestinations) {
  DestinationPool pool;
  pool.add("10.1.1.1", 0);
  pool.add("10.1.1.2", 1, 80, /*upper=*/1);
  pool.add("10.1.1.3", 1);
  DestinationPool::set_load(pool[1], 0, 1);
  DestinationPool::set_load(pool[2], 3, 0);
  auto nq = catalog().create(pool.spec("nq"));
  EXPECT_EQ(picks(*nq, 1), Picks{"3"});
  DestinationPool::set_weight(pool[2], 0);
  EXPECT_EQ(picks(*nq, 1), Picks{"none"});
}

}  // namespace
}  // namespace vsd::sched

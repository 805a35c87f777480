// Behaviour matched: net/netfilter/ipvs/ip_vs_ovf.c
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

TEST(Overflow, FillsTheHeaviestDestinationThenOverflowsToTheNext) {
  DestinationPool pool;
  pool.add("10.1.1.1", 2);
  pool.add("10.1.1.2", 3);
  auto ovf = catalog().create(pool.spec("ovf"));
  // The kernel skips a destination only once its active connections exceed its weight, so each
  // takes weight + 1 of them.
  EXPECT_EQ(picks(*ovf, 8, Then::connect_active),
            (Picks{"2", "2", "2", "2", "1", "1", "1", "none"}));
}

TEST(Overflow, CountsOnlyActiveConnections) {
  DestinationPool pool;
  pool.add("10.1.1.1", 1);
  auto ovf = catalog().create(pool.spec("ovf"));
  EXPECT_EQ(picks(*ovf, 5, Then::connect_inactive), vsd::testing::repeat({"1"}, 5));
}

TEST(Overflow, TiesGoToTheEarlierAndOverloadedOrQuiescedAreSkipped) {
  DestinationPool pool;
  pool.add("10.1.1.1", 0);
  pool.add("10.1.1.2", 3, 80, /*upper=*/1);
  pool.add("10.1.1.3", 3);
  pool.add("10.1.1.4", 3);
  auto ovf = catalog().create(pool.spec("ovf"));
  EXPECT_EQ(picks(*ovf, 3, Then::connect_inactive), (Picks{"2", "3", "3"}));
}

}  // namespace
}  // namespace vsd::sched

// Behaviour matched: net/netfilter/ipvs/ip_vs_wlc.c, include/net/ip_vs.h (ip_vs_dest_conn_overhead)
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

TEST(WeightedLeastConnection, ChoosesTheLeastOverheadPerWeight) {
  DestinationPool pool;
  pool.add("10.1.1.1", 1);
  pool.add("10.1.1.2", 3);
  DestinationPool::set_load(pool[0], 1, 0);  // 256 / 1
  DestinationPool::set_load(pool[1], 3, 0);  // 768 / 3: a tie, the first wins
  auto wlc = catalog().create(pool.spec("wlc"));
  EXPECT_EQ(picks(*wlc, 1), Picks{"1"});
  DestinationPool::set_load(pool[1], 2, 255);  // 767 / 3
  EXPECT_EQ(picks(*wlc, 1), Picks{"2"});
}

TEST(WeightedLeastConnection, GivesEachDestinationConnectionsInProportionToItsWeight) {
  DestinationPool pool;
  pool.add("10.1.1.1", 1);
  pool.add("10.1.1.2", 2);
  auto wlc = catalog().create(pool.spec("wlc"));
  EXPECT_EQ(picks(*wlc, 9, Then::connect_inactive), vsd::testing::repeat({"1", "2", "2"}, 3));
}

TEST(WeightedLeastConnection, SkipsQuiescedAndOverloadedDestinations) {
  DestinationPool pool;
  pool.add("10.1.1.1", 0);
  pool.add("10.1.1.2", 1, 80, /*upper=*/1);
  pool.add("10.1.1.3", 1);
  DestinationPool::set_load(pool[2], 5, 0);
  auto wlc = catalog().create(pool.spec("wlc"));
  EXPECT_EQ(picks(*wlc, 3, Then::connect_inactive), (Picks{"2", "3", "3"}));
  DestinationPool::set_load(pool[2], 5, 0);
  DestinationPool::set_weight(pool[2], 0);
  EXPECT_EQ(picks(*wlc, 1), Picks{"none"});
}

}  // namespace
}  // namespace vsd::sched

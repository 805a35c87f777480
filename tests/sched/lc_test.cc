// Behaviour matched: net/netfilter/ipvs/ip_vs_lc.c, include/net/ip_vs.h (ip_vs_dest_conn_overhead)
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

TEST(LeastConnection, CountsAnActiveConnectionAs256InactiveOnes) {
  DestinationPool pool;
  pool.add("10.1.1.1");
  pool.add("10.1.1.2");
  pool.add("10.1.1.3");
  DestinationPool::set_load(pool[0], 1, 0);    // 256
  DestinationPool::set_load(pool[1], 0, 257);  // 257
  DestinationPool::set_load(pool[2], 0, 255);  // 255
  auto lc = catalog().create(pool.spec("lc"));
  EXPECT_EQ(picks(*lc, 1), Picks{"3"});
  DestinationPool::set_load(pool[2], 0, 256);  // ties with the first: the first wins
  EXPECT_EQ(picks(*lc, 1), Picks{"1"});
}

TEST(LeastConnection, SpreadsInListOrderWhenLoadsTie) {
  DestinationPool pool;
  pool.add("10.1.1.1");
  pool.add("10.1.1.2", 5);
  pool.add("10.1.1.3", 100);
  auto lc = catalog().create(pool.spec("lc"));
  EXPECT_EQ(picks(*lc, 9, Then::connect_inactive), vsd::testing::repeat({"1", "2", "3"}, 3));
}

TEST(LeastConnection, SkipsQuiescedAndOverloadedDestinations) {
  DestinationPool pool;
  pool.add("10.1.1.1", 0);
  pool.add("10.1.1.2", 1, 80, /*upper=*/2);
  pool.add("10.1.1.3");
  DestinationPool::set_load(pool[2], 3, 0);
  auto lc = catalog().create(pool.spec("lc"));
  EXPECT_EQ(picks(*lc, 3, Then::connect_inactive), (Picks{"2", "2", "3"}));
  EXPECT_TRUE(pool[1]->overloaded());
  DestinationPool::set_weight(pool[2], 0);
  EXPECT_EQ(picks(*lc, 1), Picks{"none"});
}

}  // namespace
}  // namespace vsd::sched

// Behaviour matched: net/netfilter/ipvs/ip_vs_fo.c
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

TEST(Failover, SendsEverythingToTheHeaviestAvailableDestination) {
  DestinationPool pool;
  pool.add("10.1.1.1", 5);
  pool.add("10.1.1.2", 10, 80, /*upper=*/3);
  pool.add("10.1.1.3", 10);
  auto fo = catalog().create(pool.spec("fo"));
  // B (the first of the two heaviest) until its threshold marks it overloaded, then C.
  EXPECT_EQ(picks(*fo, 5, Then::connect_active), (Picks{"2", "2", "2", "3", "3"}));
  DestinationPool::set_weight(pool[2], 0);
  EXPECT_EQ(picks(*fo, 1), Picks{"1"});
  DestinationPool::set_weight(pool[0], 0);
  EXPECT_EQ(picks(*fo, 1), Picks{"none"});
}

}  // namespace
}  // namespace vsd::sched

// Behaviour matched: net/netfilter/ipvs/ip_vs_sed.c
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

TEST(ShortestExpectedDelay, CountsOnlyActiveConnections) {
  DestinationPool pool;
  pool.add("10.1.1.1");
  pool.add("10.1.1.2");
  DestinationPool::set_load(pool[0], 0, 1000);  // (0 + 1) / 1
  DestinationPool::set_load(pool[1], 1, 0);     // (1 + 1) / 1
  auto sed = catalog().create(pool.spec("sed"));
  EXPECT_EQ(picks(*sed, 1), Picks{"1"});
  auto wlc = catalog().create(pool.spec("wlc"));  // where wlc, counting inactive ones, differs
  EXPECT_EQ(picks(*wlc, 1), Picks{"2"});
}

TEST(ShortestExpectedDelay, IncludesTheNewConnectionInTheDelay) {
  DestinationPool pool;
  pool.add("10.1.1.1", 1);
  pool.add("10.1.1.2", 4);
  auto sed = catalog().create(pool.spec("sed"));
  // B until (b + 1) / 4 reaches (a + 1) / 1; ties go to A.
  EXPECT_EQ(picks(*sed, 9, Then::connect_active),
            (Picks{"2", "2", "2", "1", "2", "2", "2", "2", "1"}));
}

TEST(ShortestExpectedDelay, SkipsQuiescedAndOverloadedDestinations) {
  DestinationPool pool;
  pool.add("10.1.1.1", 0);
  pool.add("10.1.1.2", 9, 80, /*upper=*/1);
  pool.add("10.1.1.3", 1);
  DestinationPool::set_load(pool[1], 0, 1);
  auto sed = catalog().create(pool.spec("sed"));
  EXPECT_EQ(picks(*sed, 1), Picks{"3"});
  DestinationPool::set_weight(pool[2], 0);
  EXPECT_EQ(picks(*sed, 1), Picks{"none"});
}

}  // namespace
}  // namespace vsd::sched

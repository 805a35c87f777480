// The OVERLOAD rule and connection accounting of net/netfilter/ipvs/ip_vs_conn.c
// (ip_vs_bind_dest / ip_vs_unbind_dest).
#include "core/real_server.h"

#include <gtest/gtest.h>

#include "support/pool.h"

namespace vsd::core {
namespace {

using vsd::testing::DestinationPool;

TEST(RealServer, CountsActiveInactiveAndTemplatesApart) {
  DestinationPool pool;
  RealServer* d = pool.add("10.0.0.1");
  d->bind_connection(false);
  d->bind_connection(false);
  d->set_connection_activity(true);
  d->bind_template();
  EXPECT_EQ(d->active_connections(), 1u);
  EXPECT_EQ(d->inactive_connections(), 1u);
  EXPECT_EQ(d->persistent_connections(), 1u);
  EXPECT_EQ(d->total_connections(), 2u);
  d->set_connection_activity(false);
  EXPECT_EQ(d->active_connections(), 0u);
  EXPECT_EQ(d->inactive_connections(), 2u);
}

TEST(RealServer, OverloadSetAtUpperClearedAtLower) {
  DestinationPool pool;
  RealServer* d = pool.add("10.0.0.1", 1, 80, /*upper=*/4, /*lower=*/2);
  for (int i = 0; i < 3; ++i) d->bind_connection(true);
  EXPECT_FALSE(d->overloaded());
  d->bind_connection(true);  // 4 >= 4
  EXPECT_TRUE(d->overloaded());
  d->unbind_connection(true);  // 3: not below 2
  EXPECT_TRUE(d->overloaded());
  d->unbind_connection(true);  // 2: not below 2
  EXPECT_TRUE(d->overloaded());
  d->unbind_connection(true);  // 1 < 2
  EXPECT_FALSE(d->overloaded());
}

TEST(RealServer, WithoutLowerThresholdClearsBelowThreeQuartersOfUpper) {
  DestinationPool pool;
  RealServer* d = pool.add("10.0.0.1", 1, 80, /*upper=*/8);
  DestinationPool::set_load(d, 4, 4);
  EXPECT_TRUE(d->overloaded());
  DestinationPool::set_load(d, 2, 4);  // 6 * 4 = 24, not < 24
  EXPECT_TRUE(d->overloaded());
  DestinationPool::set_load(d, 1, 4);  // 5 * 4 = 20 < 24
  EXPECT_FALSE(d->overloaded());
}

TEST(RealServer, InactiveConnectionsCountTowardsTheThreshold) {
  DestinationPool pool;
  RealServer* d = pool.add("10.0.0.1", 1, 80, /*upper=*/2);
  d->bind_connection(false);
  d->bind_connection(false);
  EXPECT_TRUE(d->overloaded());
}

TEST(RealServer, RaisingTheThresholdLiftsTheMark) {
  DestinationPool pool;
  RealServer* d = pool.add("10.0.0.1", 1, 80, /*upper=*/1);
  d->bind_connection(true);
  ASSERT_TRUE(d->overloaded());
  DestinationConfig c;
  c.address = d->address();
  c.port = 80;
  c.upper_threshold = 0;
  d->apply(c);
  EXPECT_FALSE(d->overloaded());
}

}  // namespace
}  // namespace vsd::core

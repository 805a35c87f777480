// Membership and quorum rules of keepalived's ipwrapper.c (perform_svr_state,
// update_quorum_state, perform_quorum_state).
#include "health/membership.h"

#include <gtest/gtest.h>

namespace vsd::health {
namespace {

core::DestinationConfig dest(const char* ip, int64_t weight) {
  core::DestinationConfig d;
  d.address = *IpAddress::parse(ip);
  d.port = 80;
  d.method = core::ForwardMethod::masq;
  d.weight = weight;
  return d;
}

ServerHealth server(const char* ip, int64_t weight, bool alive, bool inhibit = false) {
  ServerHealth s;
  s.config = dest(ip, weight);
  s.alive = alive;
  s.inhibit_on_failure = inhibit;
  return s;
}

const core::ServiceKey kService =
    core::ServiceKey::virtual_address(core::Protocol::tcp, *IpAddress::parse("10.0.0.1"), 80);

TEST(Quorum, HysteresisKeepsTheStateBetweenThresholds) {
  Quorum q(4, 1);  // lost below 3, gained at 5
  EXPECT_FALSE(q.update(3));
  EXPECT_TRUE(q.up());
  EXPECT_TRUE(q.update(2));
  EXPECT_FALSE(q.up());
  EXPECT_FALSE(q.update(4)) << "4 is not yet quorum + hysteresis";
  EXPECT_TRUE(q.update(5));
  EXPECT_TRUE(q.up());
}

TEST(Quorum, ZeroLiveWeightAlwaysLosesQuorum) {
  Quorum q(1, 5);
  EXPECT_TRUE(q.update(0));
}

TEST(Membership, FailedServersAreRemovedOrInhibited) {
  std::vector<ServerHealth> servers{server("10.1.0.1", 2, true), server("10.1.0.2", 3, false),
                                    server("10.1.0.3", 4, false, true)};
  const std::optional<core::DestinationConfig> none;
  auto got = desired_destinations(PoolView{servers, true, none, false}, kService);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], dest("10.1.0.1", 2));
  EXPECT_EQ(got[1], dest("10.1.0.3", 0));
}

TEST(Membership, DynamicWeightReplacesTheConfiguredOne) {
  std::vector<ServerHealth> servers{server("10.1.0.1", 2, true)};
  servers[0].dynamic_weight = 9;
  const std::optional<core::DestinationConfig> none;
  auto got = desired_destinations(PoolView{servers, true, none, false}, kService);
  EXPECT_EQ(got.at(0).weight, 9);
  EXPECT_EQ(live_weight(servers), 9);
}

TEST(Membership, SorryServerAloneWithoutQuorum) {
  std::vector<ServerHealth> servers{server("10.1.0.1", 1, true), server("10.1.0.2", 1, false)};
  const std::optional<core::DestinationConfig> sorry = dest("10.9.9.9", 1);
  auto got = desired_destinations(PoolView{servers, false, sorry, false}, kService);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].address, *IpAddress::parse("10.9.9.9"));
  auto with_quorum = desired_destinations(PoolView{servers, true, sorry, false}, kService);
  ASSERT_EQ(with_quorum.size(), 1u);
  EXPECT_EQ(with_quorum[0].address, *IpAddress::parse("10.1.0.1"));
}

TEST(Membership, ChangesTurnOneListIntoTheOther) {
  std::vector<core::Change> changes;
  append_membership_changes(kService, {dest("10.1.0.1", 1), dest("10.1.0.2", 1)},
                            {dest("10.1.0.2", 0), dest("10.1.0.3", 1)}, changes);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_TRUE(std::holds_alternative<core::DeleteDestination>(changes[0]));
  EXPECT_TRUE(std::holds_alternative<core::EditDestination>(changes[1]));
  EXPECT_TRUE(std::holds_alternative<core::AddDestination>(changes[2]));
}

}  // namespace
}  // namespace vsd::health

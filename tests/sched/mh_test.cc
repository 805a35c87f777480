// Behaviour matched: net/netfilter/ipvs/ip_vs_mh.c (permutation, gcd/shift weight turns,
// mh-fallback, mh-port, last_weight) and lib/siphash.c (hsiphash on 64-bit).
// The golden destinations were computed independently, from the kernel sources' formulas.
#include <gtest/gtest.h>

#include <map>
#include <stdexcept>

#include "common/random.h"
#include "sched/algorithms.h"
#include "sched/catalog.h"
#include "sched/siphash13.h"
#include "support/pool.h"

namespace vsd::sched {
namespace {

using core::service_flag::sched1;
using core::service_flag::sched2;
using vsd::testing::DestinationPool;
using vsd::testing::input_from;

std::string address_of(const core::RealServer* d) {
  return d ? d->address().to_string() : "none";
}

TEST(KernelHsiphash, MatchesTheKernelSelfTestVector) {
  // lib/siphash_kunit.c, 64-bit: key 00..0f, message 00 01 02 03.
  EXPECT_EQ(hsiphash_word(0x03020100u, 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL), 0x88d38328u);
}

class MaglevGolden : public ::testing::Test {
 protected:
  MaglevGolden() {
    pool.add("10.0.0.1", 1);
    pool.add("10.0.0.2", 2);
    pool.add("10.0.0.3", 3);
  }
  static std::string pick(core::Scheduler& s, const std::string& client, uint16_t port = 0) {
    return address_of(s.schedule(input_from(client, port)));
  }
  static std::map<std::string, int> spread_over_block(core::Scheduler& s) {
    std::map<std::string, int> count;
    const uint32_t base = IpAddress::parse("198.51.100.0")->v4_host_order();
    for (uint32_t i = 0; i < 1024; ++i) {
      core::SchedulingInput in = input_from("0.0.0.0", 0);
      in.client_address = IpAddress::v4(base + i);
      ++count[address_of(s.schedule(in))];
    }
    return count;
  }
  DestinationPool pool;
};

TEST_F(MaglevGolden, MapsClientsAsIpvsDoes) {
  auto mh = catalog().create(pool.spec("mh"));
  EXPECT_EQ(pick(*mh, "172.16.0.1"), "10.0.0.3");
  EXPECT_EQ(pick(*mh, "172.16.0.2"), "10.0.0.2");
  EXPECT_EQ(pick(*mh, "172.16.0.3"), "10.0.0.1");
  EXPECT_EQ(pick(*mh, "203.0.113.7"), "10.0.0.3");
  EXPECT_EQ(pick(*mh, "2001:db8::10"), "10.0.0.3");
  EXPECT_EQ(pick(*mh, "2001:db8:1::10"), "10.0.0.2");
  EXPECT_EQ(pick(*mh, "172.16.0.1", 40000), "10.0.0.3");  // no mh-port: port ignored
  EXPECT_EQ(spread_over_block(*mh),
            (std::map<std::string, int>{{"10.0.0.1", 186}, {"10.0.0.2", 326}, {"10.0.0.3", 512}}));
}

TEST_F(MaglevGolden, PortFlagAddsTheClientPort) {
  auto mh = catalog().create(pool.spec("mh", sched2));
  EXPECT_EQ(pick(*mh, "172.16.0.1", 40000), "10.0.0.2");
  EXPECT_EQ(pick(*mh, "172.16.0.1", 40001), "10.0.0.3");
  EXPECT_EQ(pick(*mh, "172.16.0.1", 40002), "10.0.0.1");
  EXPECT_EQ(pick(*mh, "172.16.0.1", 40003), "10.0.0.1");
}

TEST_F(MaglevGolden, LargerPrimeTable) {
  auto mh = make_maglev_hashing(pool.spec("mh"), 65537);
  EXPECT_EQ(pick(*mh, "172.16.0.1"), "10.0.0.3");
  EXPECT_EQ(pick(*mh, "172.16.0.2"), "10.0.0.3");
  EXPECT_EQ(pick(*mh, "172.16.0.3"), "10.0.0.1");
  EXPECT_EQ(pick(*mh, "203.0.113.7"), "10.0.0.2");
  EXPECT_EQ(pick(*mh, "2001:db8::10"), "10.0.0.2");
  EXPECT_EQ(spread_over_block(*mh),
            (std::map<std::string, int>{{"10.0.0.1", 153}, {"10.0.0.2", 341}, {"10.0.0.3", 530}}));
}

TEST(MaglevWeights, LargeWeightsAreScaledByGcdAndShift) {
  // gcd 5, 65535/5 = 13107 needs 14 bits, 8 more than a 4093 table's 6: turns 1, 1, 51.
  DestinationPool pool;
  pool.add("10.0.0.1", 100);
  pool.add("10.0.0.2", 250);
  pool.add("10.0.0.3", 65535);
  auto mh = catalog().create(pool.spec("mh"));
  std::map<std::string, int> count;
  const uint32_t base = IpAddress::parse("198.51.100.0")->v4_host_order();
  for (uint32_t i = 0; i < 1024; ++i) {
    core::SchedulingInput in = input_from("0.0.0.0", 0);
    in.client_address = IpAddress::v4(base + i);
    ++count[address_of(mh->schedule(in))];
  }
  EXPECT_EQ(count,
            (std::map<std::string, int>{{"10.0.0.1", 22}, {"10.0.0.2", 17}, {"10.0.0.3", 985}}));
}

TEST(MaglevWeights, IPv6DestinationsAreHashedWithTheirPort) {
  DestinationPool pool;
  pool.add("2001:db8::a", 1, 8080);
  pool.add("2001:db8::b", 1, 8080);
  auto mh = catalog().create(pool.spec("mh"));
  EXPECT_EQ(address_of(mh->schedule(input_from("2001:db8:ffff::1", 0, "2001:db8::80"))),
            "2001:db8::b");
  EXPECT_EQ(address_of(mh->schedule(input_from("2001:db8:ffff::2", 0, "2001:db8::80"))),
            "2001:db8::a");
  EXPECT_EQ(address_of(mh->schedule(input_from("2001:db8:ffff::3", 0, "2001:db8::80"))),
            "2001:db8::a");
}

TEST_F(MaglevGolden, QuiescedTargetGivesNoneUnlessFallbackWalksOn) {
  auto before_plain = catalog().create(pool.spec("mh"));
  auto before_fallback = catalog().create(pool.spec("mh", sched1));
  DestinationPool::set_weight(pool[2], 0);  // 172.16.0.1's server
  // The running table, and the one built for the edited list (which keeps the quiesced
  // server's slots, as IPVS's last_weight does).
  auto after_plain = catalog().create(pool.spec("mh"));
  after_plain->inherit(*before_plain);
  auto after_fallback = catalog().create(pool.spec("mh", sched1));
  after_fallback->inherit(*before_fallback);
  for (core::Scheduler* s : {before_plain.get(), after_plain.get()})
    EXPECT_EQ(pick(*s, "172.16.0.1"), "none");
  for (core::Scheduler* s : {before_fallback.get(), after_fallback.get()}) {
    EXPECT_EQ(pick(*s, "172.16.0.1"), "10.0.0.2");
    EXPECT_EQ(pick(*s, "172.16.0.2"), "10.0.0.2");
    EXPECT_EQ(pick(*s, "172.16.0.3"), "10.0.0.1");
  }
}

TEST(MaglevTable, SizeMustBeAPrime) {
  DestinationPool pool;
  pool.add("10.0.0.1");
  EXPECT_THROW(make_maglev_hashing(pool.spec("mh"), 4096), std::invalid_argument);
  EXPECT_NE(make_maglev_hashing(pool.spec("mh"), 251)->schedule(input_from("1.2.3.4")), nullptr);
}

TEST(MaglevTable, NoDestinationsOrAllQuiescedGivesNone) {
  DestinationPool empty;
  EXPECT_EQ(catalog().create(empty.spec("mh", sched1))->schedule(input_from("1.2.3.4")), nullptr);
  DestinationPool pool;
  pool.add("10.0.0.1", 0);
  pool.add("10.0.0.2", 0);
  EXPECT_EQ(catalog().create(pool.spec("mh", sched1))->schedule(input_from("1.2.3.4")), nullptr);
}

// --- Properties over many flows (client address and port, with mh-port).

core::SchedulingInput random_flow(SplitMix64& rng) {
  core::SchedulingInput in;
  in.client_address = IpAddress::v4(static_cast<uint32_t>(rng.next()));
  in.client_port = static_cast<uint16_t>(rng.next());
  return in;
}

class MaglevFlows : public ::testing::TestWithParam<uint32_t> {
 protected:
  static constexpr int kWeights[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  void SetUp() override {
    for (int i = 0; i < 10; ++i)
      pool.add(IpAddress::v4(0x0a000001u + static_cast<uint32_t>(i)).to_string(), kWeights[i]);
  }
  std::unique_ptr<core::Scheduler> build(const DestinationPool& p, uint32_t flags = sched2) {
    return make_maglev_hashing(p.spec("mh", flags), GetParam());
  }
  DestinationPool pool;
};

TEST_P(MaglevFlows, SpreadFollowsTheWeights) {
  auto mh = build(pool);
  std::map<core::RealServer*, int> count;
  SplitMix64 rng(0x3a61e7);
  constexpr int kFlows = 1'000'000;
  for (int i = 0; i < kFlows; ++i) ++count[mh->schedule(random_flow(rng))];
  ASSERT_EQ(count.count(nullptr), 0u);
  for (int i = 0; i < 10; ++i) {
    const double expected = kWeights[i] / 55.0;
    const double got = count[pool[i]] / double(kFlows);
    // Within 1 % of the weight's share (plus table rounding and sampling noise for the
    // lightest servers: a weight-1 server owns 74 or 75 of 4093 slots).
    EXPECT_NEAR(got, expected, expected * 0.01 + 0.0005)
        << "server " << i << " weight " << kWeights[i];
  }
}

TEST_P(MaglevFlows, RemovingOneOfNMovesAboutOneNth) {
  constexpr size_t kServers = 10;
  DestinationPool equal;
  for (size_t i = 0; i < kServers; ++i)
    equal.add(IpAddress::v4(0x0a000101u + static_cast<uint32_t>(i)).to_string(), 5);
  auto before = build(equal);
  core::SchedulerSpec spec = equal.spec("mh", sched2);
  spec.destinations.erase(spec.destinations.begin() + 3);
  auto after = make_maglev_hashing(spec, GetParam());
  after->inherit(*before);

  SplitMix64 rng(0x5eed'0042);
  constexpr int kFlows = 200'000;
  int moved = 0, survivors = 0, survivors_moved = 0;
  for (int i = 0; i < kFlows; ++i) {
    const core::SchedulingInput in = random_flow(rng);
    core::RealServer* a = before->schedule(in);
    core::RealServer* b = after->schedule(in);
    ASSERT_NE(b, nullptr);
    ASSERT_NE(b, equal[3]);
    moved += a != b;
    if (a != equal[3]) {
      ++survivors;
      survivors_moved += a != b;
    }
  }
  const double one_nth = 1.0 / kServers;
  EXPECT_GE(moved / double(kFlows), one_nth * 0.9);  // the removed server's flows must move
  EXPECT_LE(moved / double(kFlows), one_nth * 1.2);
  EXPECT_LE(survivors_moved / double(survivors), 0.02);
}

TEST_P(MaglevFlows, FallbackMovesOnlyTheQuiescedServersFlows) {
  auto before = build(pool, sched1 | sched2);
  DestinationPool::set_weight(pool[6], 0);
  auto after = build(pool, sched1 | sched2);
  after->inherit(*before);  // as a snapshot rebuild does

  SplitMix64 rng(0xfa11'bac);
  constexpr int kFlows = 200'000;
  int quiesced_flows = 0;
  for (int i = 0; i < kFlows; ++i) {
    const core::SchedulingInput in = random_flow(rng);
    DestinationPool::set_weight(pool[6], 7);
    core::RealServer* home = before->schedule(in);
    DestinationPool::set_weight(pool[6], 0);
    core::RealServer* now = after->schedule(in);
    ASSERT_NE(now, nullptr);
    if (home == pool[6]) {
      ++quiesced_flows;
      EXPECT_NE(now, pool[6]);
    } else {
      ASSERT_EQ(now, home);
    }
  }
  EXPECT_NEAR(quiesced_flows / double(kFlows), 7.0 / 55.0, 0.005);
}

INSTANTIATE_TEST_SUITE_P(TableSizes, MaglevFlows, ::testing::Values(4093u, 65537u));

}  // namespace
}  // namespace vsd::sched

// Behaviour matched: net/netfilter/ipvs/ip_vs_dh.c and net/netfilter/ipvs/ip_vs_sh.c (the
// hash_32 key functions, the weighted bucket deal, sh-fallback's walk and sh-port).
// The golden destinations were computed independently, from the kernel sources' formulas.
#include <gtest/gtest.h>

#include <array>
#include <optional>

#include "common/random.h"
#include "sched/algorithms.h"
#include "sched/catalog.h"
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

core::SchedulingInput to_vip(const std::string& vip) {
  return input_from("172.16.0.1", 40000, vip);
}

TEST(DestinationHashing, MapsDestinationAddressesAsIpvsDoes) {
  DestinationPool pool;
  pool.add("10.0.0.1");
  pool.add("10.0.0.2");
  pool.add("10.0.0.3");
  auto dh = catalog().create(pool.spec("dh"));
  EXPECT_EQ(address_of(dh->schedule(to_vip("192.168.2.11"))), "10.0.0.3");
  EXPECT_EQ(address_of(dh->schedule(to_vip("192.168.2.12"))), "10.0.0.2");
  EXPECT_EQ(address_of(dh->schedule(to_vip("192.168.2.13"))), "10.0.0.3");
  EXPECT_EQ(address_of(dh->schedule(to_vip("10.1.1.1"))), "10.0.0.2");
  EXPECT_EQ(address_of(dh->schedule(to_vip("2001:db8::1"))), "10.0.0.1");
  EXPECT_EQ(address_of(dh->schedule(to_vip("2001:db8::2"))), "10.0.0.2");
  // The client plays no part.
  EXPECT_EQ(address_of(dh->schedule(input_from("203.0.113.9", 1234, "192.168.2.12"))), "10.0.0.2");
}

TEST(DestinationHashing, IgnoresWeightsWhenDealingAndCountsOverWholeBlock) {
  DestinationPool pool;
  pool.add("10.0.0.1", 5);
  pool.add("10.0.0.2", 1);
  pool.add("10.0.0.3", 100);
  auto dh = catalog().create(pool.spec("dh"));
  std::map<std::string, int> count;
  const uint32_t base = IpAddress::parse("198.51.100.0")->v4_host_order();
  for (uint32_t i = 0; i < 1024; ++i) {
    core::SchedulingInput in = to_vip("0.0.0.0");
    in.destination_address = IpAddress::v4(base + i);
    ++count[address_of(dh->schedule(in))];
  }
  EXPECT_EQ(count,
            (std::map<std::string, int>{{"10.0.0.1", 359}, {"10.0.0.2", 330}, {"10.0.0.3", 335}}));
}

TEST(DestinationHashing, UnavailableTargetGivesNoDestination) {
  DestinationPool pool;
  pool.add("10.0.0.1");
  pool.add("10.0.0.2");
  pool.add("10.0.0.3", 1, 80, /*upper=*/1);
  auto dh = catalog().create(pool.spec("dh", sched1));  // dh has no fallback
  DestinationPool::set_load(pool[2], 1, 0);
  ASSERT_TRUE(pool[2]->overloaded());
  EXPECT_EQ(address_of(dh->schedule(to_vip("192.168.2.11"))), "none");
  EXPECT_EQ(address_of(dh->schedule(to_vip("192.168.2.12"))), "10.0.0.2");
  DestinationPool::set_weight(pool[1], 0);
  EXPECT_EQ(address_of(dh->schedule(to_vip("192.168.2.12"))), "none");

  DestinationPool empty;
  EXPECT_EQ(catalog().create(empty.spec("dh"))->schedule(to_vip("192.168.2.11")), nullptr);
}

class SourceHashingTest : public ::testing::Test {
 protected:
  SourceHashingTest() {
    pool.add("10.0.0.1", 2);
    pool.add("10.0.0.2", 1);
    pool.add("10.0.0.3", 3);
  }
  std::string pick(core::Scheduler& s, const std::string& client, uint16_t port = 0) {
    return address_of(s.schedule(input_from(client, port)));
  }
  DestinationPool pool;
};

TEST_F(SourceHashingTest, MapsClientsAsIpvsDoes) {
  auto sh = catalog().create(pool.spec("sh"));
  EXPECT_EQ(pick(*sh, "172.16.0.1"), "10.0.0.2");
  EXPECT_EQ(pick(*sh, "172.16.0.2"), "10.0.0.3");
  EXPECT_EQ(pick(*sh, "172.16.0.3"), "10.0.0.1");
  EXPECT_EQ(pick(*sh, "203.0.113.7"), "10.0.0.3");
  EXPECT_EQ(pick(*sh, "2001:db8::10"), "10.0.0.1");
  EXPECT_EQ(pick(*sh, "2001:db8:1::10"), "10.0.0.3");
  // Without sh-port the port plays no part.
  EXPECT_EQ(pick(*sh, "172.16.0.1", 40002), "10.0.0.2");
}

TEST_F(SourceHashingTest, WeightsSetTheShareOfBuckets) {
  auto sh = catalog().create(pool.spec("sh"));
  std::map<std::string, int> count;
  const uint32_t base = IpAddress::parse("198.51.100.0")->v4_host_order();
  for (uint32_t i = 0; i < 1024; ++i) {
    core::SchedulingInput in = input_from("0.0.0.0");
    in.client_address = IpAddress::v4(base + i);
    ++count[address_of(sh->schedule(in))];
  }
  EXPECT_EQ(count,
            (std::map<std::string, int>{{"10.0.0.1", 346}, {"10.0.0.2", 169}, {"10.0.0.3", 509}}));
}

TEST_F(SourceHashingTest, PortFlagAddsTheClientPort) {
  auto sh = catalog().create(pool.spec("sh", sched2));
  EXPECT_EQ(pick(*sh, "172.16.0.1", 40000), "10.0.0.1");
  EXPECT_EQ(pick(*sh, "172.16.0.1", 40001), "10.0.0.1");
  EXPECT_EQ(pick(*sh, "172.16.0.1", 40002), "10.0.0.3");
  EXPECT_EQ(pick(*sh, "172.16.0.1", 40003), "10.0.0.1");
}

TEST_F(SourceHashingTest, UnavailableTargetGivesNoneUnlessFallbackWalksOn) {
  auto plain = catalog().create(pool.spec("sh"));
  auto fallback = catalog().create(pool.spec("sh", sched1));
  DestinationPool::set_weight(pool[1], 0);  // 172.16.0.1's server, quiesced in place
  EXPECT_EQ(pick(*plain, "172.16.0.1"), "none");
  EXPECT_EQ(pick(*fallback, "172.16.0.1"), "10.0.0.3");
  // Clients of the other servers do not move.
  EXPECT_EQ(pick(*fallback, "172.16.0.2"), "10.0.0.3");
  EXPECT_EQ(pick(*fallback, "172.16.0.3"), "10.0.0.1");

  DestinationPool::set_weight(pool[0], 0);
  DestinationPool::set_weight(pool[2], 0);
  DestinationPool::set_weight(pool[1], 1);
  for (const char* client : {"172.16.0.1", "172.16.0.2", "172.16.0.3", "203.0.113.7"})
    EXPECT_EQ(pick(*fallback, client), "10.0.0.2") << client;
  DestinationPool::set_weight(pool[1], 0);
  EXPECT_EQ(pick(*fallback, "172.16.0.1"), "none");
}

TEST_F(SourceHashingTest, OverloadedTargetIsUnavailable) {
  DestinationPool p;
  p.add("10.0.0.1", 2);
  p.add("10.0.0.2", 1, 80, /*upper=*/2);
  p.add("10.0.0.3", 3);
  auto plain = catalog().create(p.spec("sh"));
  auto fallback = catalog().create(p.spec("sh", sched1));
  DestinationPool::set_load(p[1], 1, 1);
  ASSERT_TRUE(p[1]->overloaded());
  EXPECT_EQ(pick(*plain, "172.16.0.1"), "none");
  EXPECT_EQ(pick(*fallback, "172.16.0.1"), "10.0.0.3");
}

// --- Property: the scheduler against a table built and hashed the way the kernel sources do.

uint32_t reference_fold(const IpAddress& a) {
  uint32_t words[4] = {};
  for (int i = 0; i < 16; ++i) words[i / 4] = (words[i / 4] << 8) | a.bytes()[i];
  return words[0] ^ words[1] ^ words[2] ^ words[3];
}

uint32_t reference_hash_32(uint32_t v, unsigned bits) {
  return static_cast<uint32_t>((uint64_t{v} * 0x61C88647ULL) & 0xffffffffULL) >> (32 - bits);
}

struct HashReference {
  std::array<int, 256> table{};  // index into the list, -1 for none
  std::vector<core::RealServer*> list;

  static bool usable(const core::RealServer* d) { return d->weight() > 0 && !d->overloaded(); }

  static HashReference dh(const std::vector<core::RealServer*>& list) {
    HashReference r{{}, list};
    for (int i = 0; i < 256; ++i) r.table[i] = list.empty() ? -1 : i % int(list.size());
    return r;
  }
  static HashReference sh(const std::vector<core::RealServer*>& list) {
    HashReference r{{}, list};
    r.table.fill(-1);
    int p = 0, taken = 0;
    for (int i = 0; i < 256 && !list.empty(); ++i) {
      r.table[i] = p;
      if (++taken >= list[p]->weight()) {
        p = (p + 1) % int(list.size());
        taken = 0;
      }
    }
    return r;
  }
  core::RealServer* at(uint32_t bucket) const {
    return table[bucket] < 0 ? nullptr : list[table[bucket]];
  }
  core::RealServer* dh_pick(const core::SchedulingInput& in) const {
    core::RealServer* d = at(reference_hash_32(reference_fold(in.destination_address), 8));
    return d && usable(d) ? d : nullptr;
  }
  core::RealServer* sh_pick(const core::SchedulingInput& in, bool fallback, bool port) const {
    const uint32_t key = reference_fold(in.client_address) + (port ? in.client_port : 0u);
    const uint32_t ihash = reference_hash_32(key, 8);
    core::RealServer* d = at(ihash);
    if (!d || usable(d)) return d;
    if (!fallback) return nullptr;
    for (uint32_t offset = 0; offset < 256; ++offset) {
      d = at(((offset + ihash) % 256 + ihash) % 256);
      if (usable(d)) return d;
    }
    return nullptr;
  }
};

IpAddress random_address(SplitMix64& rng) {
  if (rng.below(3) == 0) {
    std::array<uint8_t, 16> b{};
    for (auto& byte : b) byte = static_cast<uint8_t>(rng.next());
    return IpAddress::v6(b);
  }
  return IpAddress::v4(static_cast<uint32_t>(rng.next()));
}

TEST(HashingProperty, DhAndShAgreeWithTheKernelTableOnRandomLists) {
  SplitMix64 rng(0xd4'5a'2024);
  for (int round = 0; round < 60; ++round) {
    DestinationPool pool;
    const size_t n = 1 + rng.below(round % 3 == 0 ? 300 : 12);
    for (size_t i = 0; i < n; ++i) {
      const int64_t weight = static_cast<int64_t>(rng.below(6));  // 0 now and then
      pool.add(IpAddress::v4(0x0a000000u + static_cast<uint32_t>(i)).to_string(), weight, 80,
               /*upper=*/rng.below(4) == 0 ? 1 : 0);
    }
    const uint32_t flags = static_cast<uint32_t>(rng.below(4)) * sched1;  // none/fb/port/both
    auto dh = catalog().create(pool.spec("dh"));
    auto sh = catalog().create(pool.spec("sh", flags));
    const HashReference dh_ref = HashReference::dh(pool.list());
    const HashReference sh_ref = HashReference::sh(pool.list());
    for (int i = 0; i < 400; ++i) {
      if (i % 100 == 50) {  // availability changes in place, the tables stay as built
        core::RealServer* d = pool[rng.below(n)];
        if (d->upper_threshold() != 0)
          DestinationPool::set_load(d, d->overloaded() ? 0 : 1, 0);
        else
          DestinationPool::set_weight(d, d->weight() == 0 ? 1 : 0);
      }
      core::SchedulingInput in;
      in.client_address = random_address(rng);
      in.client_port = static_cast<uint16_t>(rng.next());
      in.destination_address = random_address(rng);
      ASSERT_EQ(dh->schedule(in), dh_ref.dh_pick(in)) << "round " << round;
      ASSERT_EQ(sh->schedule(in), sh_ref.sh_pick(in, flags & sched1, flags & sched2))
          << "round " << round << " flags " << flags;
    }
  }
}

}  // namespace
}  // namespace vsd::sched

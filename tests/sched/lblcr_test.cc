// Behaviour matched: net/netfilter/ipvs/ip_vs_lblcr.c (a server set per destination address:
// ip_vs_dest_set_min/max, insert at the head, the shrink after lblcr_expiration without change,
// the lblc overload rule, expiry of unused addresses).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "common/random.h"
#include "sched/algorithms.h"
#include "sched/catalog.h"
#include "support/pool.h"

namespace vsd::sched {
namespace {

using vsd::testing::DestinationPool;
using vsd::testing::input_from;

std::string address_of(const core::RealServer* d) {
  return d ? d->address().to_string() : "none";
}

const Instant kStart = Instant{} + hours(1000);

class Lblcr : public ::testing::Test {
 protected:
  Lblcr() {
    pool.add("10.0.0.1", 2);
    pool.add("10.0.0.2", 2);
    pool.add("10.0.0.3", 2);
  }
  static std::string to(core::Scheduler& s, const std::string& destination, Instant now) {
    core::SchedulingInput in = input_from("172.16.0.1", 40000, destination);
    in.now = now;
    return address_of(s.schedule(in));
  }
  // Idle connections only, so that the lblc overload rule (active connections) stays out.
  void idle(uint32_t a, uint32_t b, uint32_t c) {
    DestinationPool::set_load(pool[0], pool[0]->active_connections(), a);
    DestinationPool::set_load(pool[1], pool[1]->active_connections(), b);
    DestinationPool::set_load(pool[2], pool[2]->active_connections(), c);
  }
  void active(uint32_t a, uint32_t b, uint32_t c) {
    DestinationPool::set_load(pool[0], a, pool[0]->inactive_connections());
    DestinationPool::set_load(pool[1], b, pool[1]->inactive_connections());
    DestinationPool::set_load(pool[2], c, pool[2]->inactive_connections());
  }
  DestinationPool pool;
};

TEST_F(Lblcr, SetStartsWithTheWeightedLeastConnectionChoice) {
  auto lblcr = catalog().create(pool.spec("lblcr"));
  idle(1, 0, 1);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.2");
  idle(0, 1, 0);  // 10.0.0.1 would be the new pick, but the set holds only 10.0.0.2
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.2");
  EXPECT_EQ(to(*lblcr, "2001:db8::7", kStart), "10.0.0.1");
}

TEST_F(Lblcr, GrowsWhenItsBestIsBusyWhileAnotherIsUnderHalfItsWeight) {
  auto lblcr = catalog().create(pool.spec("lblcr"));
  idle(0, 1, 1);
  ASSERT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.1");
  active(3, 1, 0);  // 10.0.0.1 above its weight; 10.0.0.3 below half of its own
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.3");
  // Both are members now: the less loaded of the two serves, the newer winning a tie.
  active(0, 0, 0);
  idle(0, 0, 0);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.3");
  idle(0, 0, 1);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.1");
  idle(1, 0, 0);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.3");
  // 10.0.0.2 is not a member however idle it is.
  idle(2, 0, 1);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.3");
}

TEST_F(Lblcr, ShedsTheMostLoadedMemberWhenTheSetHasNotChangedForTheExpiration) {
  auto lblcr = catalog().create(pool.spec("lblcr"));
  idle(0, 1, 1);
  ASSERT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.1");
  active(3, 1, 0);
  ASSERT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.3");  // set {3, 1} changed at kStart
  active(0, 0, 0);
  idle(5, 0, 1);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart + hours(12)), "10.0.0.3");  // a use, no change
  // Exactly the expiration after the change: not yet.
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart + hours(24)), "10.0.0.3");
  idle(1, 0, 5);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart + hours(24)), "10.0.0.1");
  // Past it: the least loaded (10.0.0.1) still serves this once, but the most loaded
  // (10.0.0.3) leaves the set.
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart + hours(24) + seconds(1)), "10.0.0.1");
  idle(5, 0, 1);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart + hours(24) + seconds(2)), "10.0.0.1");
  // A single member is never shed.
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart + hours(47)), "10.0.0.1");
}

TEST_F(Lblcr, QuiescedOrOverloadedMembersDoNotServe) {
  DestinationPool p;
  p.add("10.0.0.1", 2, 80, /*upper=*/3);
  p.add("10.0.0.2", 2);
  auto lblcr = catalog().create(p.spec("lblcr"));
  ASSERT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.1");
  DestinationPool::set_load(p[0], 0, 3);
  ASSERT_TRUE(p[0]->overloaded());
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.2");
  DestinationPool::set_load(p[0], 0, 0);
  DestinationPool::set_weight(p[1], 0);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.1");
  DestinationPool::set_weight(p[0], 0);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart), "none");
}

TEST_F(Lblcr, ForgetsAnAddressUnusedForTheExpiration) {
  auto lblcr = make_locality_least_connection_replicated(pool.spec("lblcr"), {minutes(10), 50});
  idle(0, 1, 1);
  ASSERT_EQ(to(*lblcr, "192.0.2.1", kStart), "10.0.0.1");
  idle(1, 0, 1);
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart + minutes(10) - seconds(1)), "10.0.0.1");
  EXPECT_EQ(to(*lblcr, "192.0.2.1", kStart + minutes(20) - seconds(1)), "10.0.0.2");
}

TEST_F(Lblcr, KeepsSetsWithoutTheServersNoLongerListed) {
  auto before = catalog().create(pool.spec("lblcr"));
  idle(0, 1, 1);
  ASSERT_EQ(to(*before, "192.0.2.1", kStart), "10.0.0.1");
  active(3, 1, 0);
  ASSERT_EQ(to(*before, "192.0.2.1", kStart), "10.0.0.3");  // set {3, 1}
  idle(1, 0, 1);
  active(0, 0, 0);
  ASSERT_EQ(to(*before, "192.0.2.2", kStart), "10.0.0.2");  // set {2}

  core::SchedulerSpec spec = pool.spec("lblcr");
  spec.destinations = {pool[0], pool[2]};  // 10.0.0.2 removed
  auto after = catalog().create(spec);
  after->inherit(*before);
  idle(0, 0, 1);
  EXPECT_EQ(to(*after, "192.0.2.1", kStart), "10.0.0.1");
  idle(1, 0, 0);
  EXPECT_EQ(to(*after, "192.0.2.1", kStart), "10.0.0.3");
  idle(0, 0, 1);
  EXPECT_EQ(to(*after, "192.0.2.2", kStart), "10.0.0.1");  // its only member is gone
  idle(1, 0, 0);
  EXPECT_EQ(to(*after, "192.0.2.2", kStart), "10.0.0.1");  // and the new pick is remembered
}

// --- Property: against plain vectors in a map, driven by the same times and loads.

struct LblcrReference {
  struct Entry {
    std::vector<core::RealServer*> set;  // newest first
    Instant last_modified;
    Instant last_use;
  };
  std::vector<core::RealServer*> list;
  Duration expiration;
  std::map<IpAddress, Entry> cache;

  static uint64_t overhead(const core::RealServer* d) {
    return uint64_t{d->active_connections()} * 256 + d->inactive_connections();
  }
  static core::RealServer* least(const std::vector<core::RealServer*>& candidates) {
    core::RealServer* best = nullptr;
    for (core::RealServer* d : candidates) {
      if (d->overloaded() || d->weight() <= 0) continue;
      if (!best || overhead(best) * uint64_t(d->weight()) > overhead(d) * uint64_t(best->weight()))
        best = d;
    }
    return best;
  }
  static core::RealServer* most(const std::vector<core::RealServer*>& set) {
    core::RealServer* worst = nullptr;
    for (core::RealServer* d : set) {
      if (d->weight() <= 0) continue;
      if (!worst ||
          overhead(worst) * uint64_t(d->weight()) < overhead(d) * uint64_t(worst->weight()))
        worst = d;
    }
    return worst;
  }
  bool busy(const core::RealServer* d) const {
    if (int64_t{d->active_connections()} <= d->weight()) return false;
    for (const core::RealServer* o : list)
      if (int64_t{o->active_connections()} * 2 < o->weight()) return true;
    return false;
  }
  static void add(Entry& e, core::RealServer* d, Instant now) {
    if (std::find(e.set.begin(), e.set.end(), d) != e.set.end()) return;
    e.set.insert(e.set.begin(), d);
    e.last_modified = now;
  }
  core::RealServer* schedule(const IpAddress& key, Instant now) {
    auto it = cache.find(key);
    if (it != cache.end() && now - it->second.last_use < expiration) {
      Entry& e = it->second;
      e.last_use = now;
      core::RealServer* best = least(e.set);
      if (e.set.size() > 1 && now - e.last_modified > expiration) {
        if (core::RealServer* m = most(e.set)) {
          e.set.erase(std::find(e.set.begin(), e.set.end(), m));
          e.last_modified = now;
        }
      }
      if (best && !busy(best)) return best;
      core::RealServer* d = least(list);
      if (d) add(e, d, now);
      return d;
    }
    core::RealServer* d = least(list);
    if (!d) return nullptr;
    Entry& e = cache[key];
    e = Entry{{}, now, now};
    add(e, d, now);
    return d;
  }
};

TEST(LblcrProperty, AgreesWithAMapOfSetsUnderRandomLoadsTimesAndWeights) {
  SplitMix64 rng(0x1b1c5);
  for (int round = 0; round < 20; ++round) {
    DestinationPool pool;
    const size_t n = 1 + rng.below(8);
    for (size_t i = 0; i < n; ++i)
      pool.add(IpAddress::v4(0x0a000001u + static_cast<uint32_t>(i)).to_string(),
               static_cast<int64_t>(rng.below(5)), 80, rng.below(3) == 0 ? 4 : 0);
    const Duration expiration = minutes(10);
    auto lblcr = make_locality_least_connection_replicated(pool.spec("lblcr"), {expiration, 1000});
    LblcrReference reference{pool.list(), expiration, {}};
    std::vector<IpAddress> keys;
    for (int k = 0; k < 30; ++k) {
      if (k % 3 == 0) {
        std::array<uint8_t, 16> b{0x20, 0x01, 0x0d, 0xb8};
        b[15] = static_cast<uint8_t>(k);
        keys.push_back(IpAddress::v6(b));
      } else {
        keys.push_back(IpAddress::v4(0xc0000200u + static_cast<uint32_t>(k)));
      }
    }
    Instant now = kStart;
    for (int step = 0; step < 3000; ++step) {
      const uint64_t op = rng.below(10);
      if (op <= 1) {
        DestinationPool::set_load(pool[rng.below(n)], static_cast<uint32_t>(rng.below(7)),
                                  static_cast<uint32_t>(rng.below(7)));
      } else if (op == 2) {
        DestinationPool::set_weight(pool[rng.below(n)], static_cast<int64_t>(rng.below(5)));
      } else if (op == 3) {
        now += rng.below(8) == 0 ? minutes(rng.below(30)) : seconds(rng.below(240));
      } else {
        const IpAddress& key = keys[rng.below(keys.size())];
        core::SchedulingInput in = input_from("172.16.0.1");
        in.destination_address = key;
        in.now = now;
        ASSERT_EQ(lblcr->schedule(in), reference.schedule(key, now))
            << "round " << round << " step " << step;
      }
    }
  }
}

}  // namespace
}  // namespace vsd::sched

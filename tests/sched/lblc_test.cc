// Behaviour matched: net/netfilter/ipvs/ip_vs_lblc.c (cache by destination address, the lblc
// overload rule, the wlc pick, lblc_expiration, and the periodic collection: every 60 s, a full
// pass every 30th time, a 6-minute idle pass while the table holds more than 16384 entries).
#include <gtest/gtest.h>

#include <map>
#include <thread>

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

class Lblc : public ::testing::Test {
 protected:
  Lblc() {
    pool.add("10.0.0.1");
    pool.add("10.0.0.2");
  }
  // Idle connections decide the weighted-least-connection pick without touching the lblc
  // overload rule, which looks at active connections only.
  void favour(size_t i) {
    DestinationPool::set_load(pool[i], pool[i]->active_connections(), 0);
    DestinationPool::set_load(pool[1 - i], pool[1 - i]->active_connections(), 1);
  }
  static std::string to(core::Scheduler& s, const std::string& destination, Instant now) {
    core::SchedulingInput in = input_from("172.16.0.1", 40000, destination);
    in.now = now;
    return address_of(s.schedule(in));
  }
  static std::string to(core::Scheduler& s, IpAddress destination, Instant now) {
    return to(s, destination.to_string(), now);
  }
  DestinationPool pool;
};

TEST_F(Lblc, RemembersTheServerOfEachDestinationAddress) {
  auto lblc = catalog().create(pool.spec("lblc"));
  favour(0);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.1");
  EXPECT_EQ(to(*lblc, "2001:db8::1", kStart), "10.0.0.1");
  favour(1);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart + seconds(1)), "10.0.0.1");
  EXPECT_EQ(to(*lblc, "2001:db8::1", kStart + seconds(1)), "10.0.0.1");
  EXPECT_EQ(to(*lblc, "192.0.2.2", kStart + seconds(1)), "10.0.0.2");
  favour(0);
  EXPECT_EQ(to(*lblc, "192.0.2.2", kStart + seconds(2)), "10.0.0.2");
}

TEST_F(Lblc, LeavesABusyServerOnlyWhenAnotherIsUnderHalfItsWeight) {
  DestinationPool::set_weight(pool[1], 4);
  auto lblc = catalog().create(pool.spec("lblc"));
  favour(0);
  ASSERT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.1");
  // 10.0.0.1 has more active connections than its weight, but 10.0.0.2 is at half of its own.
  DestinationPool::set_load(pool[0], 2, 0);
  DestinationPool::set_load(pool[1], 2, 0);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.1");
  // Below half: the address moves to the weighted-least-connection choice and stays there.
  DestinationPool::set_load(pool[1], 1, 0);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.2");
  DestinationPool::set_load(pool[0], 0, 0);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.2");
}

TEST_F(Lblc, QuiescedServerLosesItsAddresses) {
  auto lblc = catalog().create(pool.spec("lblc"));
  favour(0);
  ASSERT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.1");
  DestinationPool::set_weight(pool[0], 0);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.2");
  DestinationPool::set_weight(pool[0], 1);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.2");
  DestinationPool::set_weight(pool[0], 0);
  DestinationPool::set_weight(pool[1], 0);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart), "none");
}

TEST_F(Lblc, OverloadMarkIsNotCheckedForARememberedServer) {
  // IPVS checks the remembered server's weight and the lblc overload rule, not the
  // OVERLOAD mark of its connection thresholds; only a new pick skips OVERLOAD.
  DestinationPool p;
  p.add("10.0.0.1", 1, 80, /*upper=*/1);
  p.add("10.0.0.2");
  auto lblc = catalog().create(p.spec("lblc"));
  ASSERT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.1");
  DestinationPool::set_load(p[0], 0, 1);
  ASSERT_TRUE(p[0]->overloaded());
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.1");
  EXPECT_EQ(to(*lblc, "192.0.2.2", kStart), "10.0.0.2");
}

TEST_F(Lblc, ForgetsAnAddressUnusedForTheExpiration) {
  auto lblc = catalog().create(pool.spec("lblc"));  // lblc_expiration: 24 hours
  favour(0);
  ASSERT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.1");
  favour(1);
  const Instant used = kStart + hours(24) - seconds(1);
  EXPECT_EQ(to(*lblc, "192.0.2.1", used), "10.0.0.1");  // and the use renews it
  EXPECT_EQ(to(*lblc, "192.0.2.1", used + hours(24) - milliseconds(1)), "10.0.0.1");
  EXPECT_EQ(to(*lblc, "192.0.2.1", used + hours(48) - milliseconds(1)), "10.0.0.2");
}

TEST_F(Lblc, ExpirationIsConfigurable) {
  auto lblc = make_locality_least_connection(pool.spec("lblc"), {minutes(10), 100});
  favour(0);
  ASSERT_EQ(to(*lblc, "192.0.2.1", kStart), "10.0.0.1");
  favour(1);
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart + minutes(10) - seconds(1)), "10.0.0.1");
  EXPECT_EQ(to(*lblc, "192.0.2.1", kStart + minutes(20)), "10.0.0.2");
}

TEST_F(Lblc, FullTableStopsRememberingUntilTheFullPassFreesExpiredEntries) {
  auto lblc = make_locality_least_connection(pool.spec("lblc"), {minutes(10), 100});
  const uint32_t base = 0xc0000200u;
  favour(0);
  for (uint32_t i = 0; i < 100; ++i)
    ASSERT_EQ(to(*lblc, IpAddress::v4(base + i), kStart), "10.0.0.1");
  // The 101st address is served but not remembered.
  EXPECT_EQ(to(*lblc, IpAddress::v4(base + 100), kStart), "10.0.0.1");
  favour(1);
  EXPECT_EQ(to(*lblc, IpAddress::v4(base + 100), kStart), "10.0.0.2");
  favour(0);
  EXPECT_EQ(to(*lblc, IpAddress::v4(base + 100), kStart), "10.0.0.1");

  // One check a minute. The old entries expire after 10 minutes but keep their slots until the
  // full pass, which runs at the 30th check, a few buckets per call.
  const IpAddress probe = IpAddress::v4(0xc6336401u);
  Instant now = kStart;
  for (int minute = 1; minute < 30; ++minute) {
    now = kStart + minutes(minute);
    to(*lblc, "198.18.0.1", now);
  }
  favour(0);
  EXPECT_EQ(to(*lblc, probe, now), "10.0.0.1");
  favour(1);
  EXPECT_EQ(to(*lblc, probe, now), "10.0.0.2") << "the full table cannot remember it yet";
  now = kStart + minutes(30);
  for (int call = 0; call < 200; ++call) to(*lblc, "198.18.0.1", now);
  favour(0);
  EXPECT_EQ(to(*lblc, probe, now), "10.0.0.1");
  favour(1);
  EXPECT_EQ(to(*lblc, probe, now), "10.0.0.1")
      << "remembered once the full pass freed the expired entries";
}

TEST_F(Lblc, AboveSixteenThousandEntriesIdleOnesAreCollected) {
  auto lblc = catalog().create(pool.spec("lblc"));
  constexpr uint32_t kAddresses = 20000;
  const uint32_t base = 0x0a800000u;
  favour(0);
  for (uint32_t i = 0; i < kAddresses; ++i) to(*lblc, IpAddress::v4(base + i), kStart);
  // The first check after 6 idle minutes sets out to drop 4/3 of the excess over 16384.
  const Instant later = kStart + minutes(7);
  for (uint32_t i = 0; i < 300; ++i) to(*lblc, IpAddress::v4(0xc6120000u + i), later);
  favour(1);
  int forgotten = 0;
  for (uint32_t i = 0; i < kAddresses; ++i)
    forgotten += to(*lblc, IpAddress::v4(base + i), later) == "10.0.0.2";
  const int goal = (kAddresses - 16384) * 4 / 3;
  EXPECT_GE(forgotten, goal);
  EXPECT_LT(forgotten, goal + 100);  // whole buckets: it stops after the one that meets the goal
}

TEST_F(Lblc, KeepsWhatItLearnedForServersStillListed) {
  pool.add("10.0.0.3");
  auto before = catalog().create(pool.spec("lblc"));
  DestinationPool::set_load(pool[1], 0, 1);
  DestinationPool::set_load(pool[2], 0, 1);
  ASSERT_EQ(to(*before, "192.0.2.1", kStart), "10.0.0.1");
  DestinationPool::set_load(pool[0], 0, 2);
  DestinationPool::set_load(pool[2], 0, 0);
  ASSERT_EQ(to(*before, "192.0.2.3", kStart), "10.0.0.3");

  core::SchedulerSpec spec = pool.spec("lblc");
  spec.destinations = {pool[1], pool[2]};  // 10.0.0.1 removed
  auto after = catalog().create(spec);
  after->inherit(*before);
  DestinationPool::set_load(pool[1], 0, 0);
  DestinationPool::set_load(pool[2], 0, 1);
  EXPECT_EQ(to(*after, "192.0.2.1", kStart), "10.0.0.2");
  EXPECT_EQ(to(*after, "192.0.2.3", kStart), "10.0.0.3");
}

TEST_F(Lblc, WorkersMayScheduleConcurrently) {
  auto lblc = make_locality_least_connection(pool.spec("lblc"), {minutes(1), 300});
  std::vector<std::thread> workers;
  std::atomic<int> bad{0};
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      SplitMix64 rng(static_cast<uint64_t>(w) + 1);
      for (int i = 0; i < 20000; ++i) {
        core::SchedulingInput in = input_from("172.16.0.1", 40000, "0.0.0.0");
        in.destination_address = IpAddress::v4(0xc0000000u + static_cast<uint32_t>(rng.below(500)));
        in.now = kStart + seconds(i / 10);
        core::RealServer* d = lblc->schedule(in);
        if (d != pool[0] && d != pool[1]) ++bad;
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(bad.load(), 0);
}

// --- Property: against a plain map, driven by the same times and loads.

struct LblcReference {
  struct Entry {
    core::RealServer* server;
    Instant last_use;
  };
  std::vector<core::RealServer*> list;
  Duration expiration;
  std::map<IpAddress, Entry> cache;

  core::RealServer* wlc() const {
    core::RealServer* least = nullptr;
    for (core::RealServer* d : list) {
      if (d->overloaded() || d->weight() <= 0) continue;
      const uint64_t oh = uint64_t{d->active_connections()} * 256 + d->inactive_connections();
      if (!least) {
        least = d;
        continue;
      }
      const uint64_t loh =
          uint64_t{least->active_connections()} * 256 + least->inactive_connections();
      if (loh * uint64_t(d->weight()) > oh * uint64_t(least->weight())) least = d;
    }
    return least;
  }
  bool busy(const core::RealServer* d) const {
    if (int64_t{d->active_connections()} <= d->weight()) return false;
    for (const core::RealServer* o : list)
      if (int64_t{o->active_connections()} * 2 < o->weight()) return true;
    return false;
  }
  core::RealServer* schedule(const IpAddress& key, Instant now) {
    auto it = cache.find(key);
    if (it != cache.end() && now - it->second.last_use < expiration) {
      it->second.last_use = now;
      core::RealServer* d = it->second.server;
      if (d->weight() > 0 && !busy(d)) return d;
    }
    core::RealServer* d = wlc();
    if (d) cache[key] = Entry{d, now};
    return d;
  }
};

TEST(LblcProperty, AgreesWithAMapUnderRandomLoadsTimesAndWeights) {
  SplitMix64 rng(0x1b1c);
  for (int round = 0; round < 20; ++round) {
    DestinationPool pool;
    const size_t n = 1 + rng.below(8);
    for (size_t i = 0; i < n; ++i)
      pool.add(IpAddress::v4(0x0a000001u + static_cast<uint32_t>(i)).to_string(),
               static_cast<int64_t>(rng.below(5)), 80, rng.below(3) == 0 ? 4 : 0);
    const Duration expiration = minutes(10);
    auto lblc = make_locality_least_connection(pool.spec("lblc"), {expiration, 1000});
    LblcReference reference{pool.list(), expiration, {}};
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
      if (op == 0) {
        DestinationPool::set_load(pool[rng.below(n)], static_cast<uint32_t>(rng.below(7)),
                                  static_cast<uint32_t>(rng.below(7)));
      } else if (op == 1) {
        DestinationPool::set_weight(pool[rng.below(n)], static_cast<int64_t>(rng.below(5)));
      } else if (op == 2) {
        now += rng.below(8) == 0 ? minutes(rng.below(30)) : seconds(rng.below(240));
      } else {
        const IpAddress& key = keys[rng.below(keys.size())];
        core::SchedulingInput in = input_from("172.16.0.1");
        in.destination_address = key;
        in.now = now;
        ASSERT_EQ(lblc->schedule(in), reference.schedule(key, now))
            << "round " << round << " step " << step;
      }
    }
  }
}

}  // namespace
}  // namespace vsd::sched

// Behaviour matched: net/netfilter/ipvs/ip_vs_rr.c
#include <gtest/gtest.h>

#include "sched/catalog.h"
#include "support/pool.h"

namespace vsd::sched {
namespace {

using vsd::testing::DestinationPool;
using vsd::testing::input_from;

std::string pick(core::Scheduler& s) {
  core::RealServer* d = s.schedule(input_from("10.0.0.1"));
  return d ? d->address().to_string() : "none";
}

TEST(RoundRobin, CyclesInListOrder) {
  DestinationPool pool;
  pool.add("10.10.10.1");
  pool.add("10.10.10.2");
  pool.add("10.10.10.3");
  auto rr = catalog().create(pool.spec("rr"));
  std::vector<std::string> got;
  for (int i = 0; i < 6; ++i) got.push_back(pick(*rr));
  EXPECT_EQ(got, (std::vector<std::string>{"10.10.10.1", "10.10.10.2", "10.10.10.3", "10.10.10.1",
                                           "10.10.10.2", "10.10.10.3"}));
}

TEST(RoundRobin, SkipsQuiescedAndOverloaded) {
  DestinationPool pool;
  pool.add("10.10.10.1");
  pool.add("10.10.10.2", 0);
  pool.add("10.10.10.3", 1, 80, /*upper=*/1);
  DestinationPool::set_load(pool[2], 0, 1);  // reaches its upper threshold: OVERLOAD
  ASSERT_TRUE(pool[2]->overloaded());
  auto rr = catalog().create(pool.spec("rr"));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(pick(*rr), "10.10.10.1");
}

TEST(RoundRobin, NoneAvailableGivesNoDestination) {
  DestinationPool pool;
  pool.add("10.10.10.1", 0);
  auto rr = catalog().create(pool.spec("rr"));
  EXPECT_EQ(pick(*rr), "none");
  DestinationPool empty;
  auto rr2 = catalog().create(empty.spec("rr"));
  EXPECT_EQ(pick(*rr2), "none");
}

TEST(RoundRobin, ContinuesAfterTheLastChoiceWhenTheListChanges) {
  DestinationPool pool;
  pool.add("10.10.10.1");
  pool.add("10.10.10.2");
  pool.add("10.10.10.3");
  auto before = catalog().create(pool.spec("rr"));
  EXPECT_EQ(pick(*before), "10.10.10.1");
  EXPECT_EQ(pick(*before), "10.10.10.2");
  pool.add("10.10.10.4");
  auto after = catalog().create(pool.spec("rr"));
  after->inherit(*before);
  EXPECT_EQ(pick(*after), "10.10.10.3");
  EXPECT_EQ(pick(*after), "10.10.10.4");
}

}  // namespace
}  // namespace vsd::sched

#include "sched/catalog.h"

#include <gtest/gtest.h>

#include "support/pool.h"

namespace vsd::sched {
namespace {

TEST(Catalog, EveryListedAlgorithmCanBeCreatedUnderItsName) {
  vsd::testing::DestinationPool pool;
  pool.add("10.0.0.1");
  for (std::string_view name : algorithm_names()) {
    auto s = catalog().create(pool.spec(name));
    ASSERT_TRUE(s) << name;
    EXPECT_EQ(s->name(), name);
    EXPECT_NE(s->schedule(vsd::testing::input_from("1.2.3.4")), nullptr) << name;
  }
  EXPECT_FALSE(catalog().knows("nope"));
  EXPECT_EQ(catalog().create(pool.spec("nope")), nullptr);
}

}  // namespace
}  // namespace vsd::sched

#include "core/stats.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace vsd::core {
namespace {

TEST(Stats, SumsEveryWorkersSlot) {
  Stats s(4);
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < 4; ++w)
    workers.emplace_back([&s, w] {
      for (int i = 0; i < 10000; ++i) {
        s.add_inbound(w, 100);
        s.add_outbound(w, 50);
      }
      s.add_connection(w);
    });
  for (auto& t : workers) t.join();
  EXPECT_EQ(s.totals(), (StatsTotals{4, 40000, 40000, 4000000, 2000000}));
}

TEST(Stats, WorkersBeyondTheSlotCountLoseNothing) {
  Stats s(1);  // made for one worker, used by four (as a model built before the data plane)
  std::vector<std::thread> workers;
  for (unsigned w = 0; w < 4; ++w)
    workers.emplace_back([&s, w] {
      for (int i = 0; i < 20000; ++i) s.add_inbound(w, 1);
    });
  for (auto& t : workers) t.join();
  EXPECT_EQ(s.totals().in_packets, 80000u);
  EXPECT_EQ(s.totals().in_bytes, 80000u);
}

TEST(Stats, ZeroingResetsWhatIsShownNotTheRawCounts) {
  Stats s(1);
  s.add_connection(0);
  s.add_inbound(0, 10);
  s.zero();
  EXPECT_EQ(s.totals(), StatsTotals{});
  s.add_inbound(0, 7);
  EXPECT_EQ(s.totals().in_bytes, 7u);
  EXPECT_EQ(s.raw_totals().in_bytes, 17u);
}

}  // namespace
}  // namespace vsd::core

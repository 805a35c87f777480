// The checkers' timer heap against a plain reference (keepalived's scheduler.c runs timers in
// deadline order, ties in the order they were added): a seeded random mix of schedule, cancel
// and run_due, plus the cases a checker relies on.
#include "health/timer_queue.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/random.h"

namespace vsd::health {
namespace {

Instant at(int64_t ms) {
  return Instant{} + milliseconds(ms);
}

TEST(TimerQueue, StaleIdDoesNotCancelTheTimerThatReusedItsSlot) {
  TimerQueue q;
  int ran = 0;
  const auto first = q.schedule(at(10), [&] { ran += 1; });
  q.cancel(first);
  const auto second = q.schedule(at(10), [&] { ran += 10; });
  EXPECT_NE(first, second);
  q.cancel(first);  // the first timer's Id again: must not touch the second
  q.run_due(at(10));
  EXPECT_EQ(ran, 10);
  EXPECT_EQ(q.size(), 0u);
}

TEST(TimerQueue, CallbacksMayScheduleAndCancelWhileRunning) {
  TimerQueue q;
  std::vector<int> order;
  TimerQueue::Id later = 0;
  q.schedule(at(1), [&] {
    order.push_back(1);
    q.schedule(at(1), [&] { order.push_back(3); });  // due now: runs in this pass
    q.cancel(later);
  });
  q.schedule(at(1), [&] { order.push_back(2); });
  later = q.schedule(at(2), [&] { order.push_back(99); });
  q.run_due(at(5));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(q.next_due());
}

TEST(TimerQueue, MatchesAReferenceUnderARandomMix) {
  SplitMix64 random(2024);
  TimerQueue q;
  // Reference: (due, order of scheduling) -> name; the queue must run names in this order.
  std::map<std::pair<int64_t, uint64_t>, int> reference;
  std::map<int, std::pair<TimerQueue::Id, std::pair<int64_t, uint64_t>>> pending;
  std::vector<int> ran, expected;
  int64_t now = 0;
  uint64_t sequence = 0;
  int next_name = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint64_t action = random.below(10);
    if (action < 5) {
      const int name = next_name++;
      const int64_t due = now + static_cast<int64_t>(random.below(50));
      const auto key = std::make_pair(due, sequence++);
      const auto id = q.schedule(at(due), [&ran, &pending, name] {
        ran.push_back(name);
        pending.erase(name);
      });
      reference[key] = name;
      pending[name] = {id, key};
    } else if (action < 7 && !pending.empty()) {
      auto it = pending.begin();
      std::advance(it, static_cast<long>(random.below(pending.size())));
      q.cancel(it->second.first);
      reference.erase(it->second.second);
      pending.erase(it);
    } else {
      now += static_cast<int64_t>(random.below(20));
      while (!reference.empty() && reference.begin()->first.first <= now) {
        expected.push_back(reference.begin()->second);
        reference.erase(reference.begin());
      }
      q.run_due(at(now));
      ASSERT_EQ(ran, expected) << "step " << step;
      ASSERT_EQ(q.size(), pending.size());
      if (!reference.empty()) {
        ASSERT_EQ(q.next_due(), at(reference.begin()->first.first));
      } else {
        ASSERT_FALSE(q.next_due());
      }
    }
  }
}

}  // namespace
}  // namespace vsd::health

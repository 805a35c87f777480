// The checker base's timing and transitions, on a manual clock. Rules from keepalived's
// check_api.c / check_tcp.c (retry, delay_before_retry, warmup jitter) and ipwrapper.c (alpha).
#include "health/checker.h"

#include <gtest/gtest.h>

#include <deque>

#include "manual_io.h"

namespace vsd::health {
namespace {

// A probe whose answers the test scripts: each start() takes the next answer; an empty answer
// never completes (the deadline must end the attempt).
class ScriptedProbe final : public Probe {
 public:
  explicit ScriptedProbe(std::deque<std::optional<bool>>& answers, std::vector<Instant>& starts,
                         Io& io)
      : answers_(answers), starts_(starts), io_(io) {}
  void start(Done done) override {
    starts_.push_back(io_.now());
    std::optional<bool> answer = answers_.empty() ? std::optional<bool>(true) : answers_.front();
    if (!answers_.empty()) answers_.pop_front();
    if (answer) done(ProbeResult{*answer, *answer ? "" : "refused", std::nullopt});
  }
  void cancel() override { ++cancels; }
  int cancels = 0;

 private:
  std::deque<std::optional<bool>>& answers_;
  std::vector<Instant>& starts_;
  Io& io_;
};

struct Recorder : CheckerEvents {
  std::vector<bool> transitions;
  std::vector<Duration> lateness;
  void launched(const Checker&, Duration late) override { lateness.push_back(late); }
  void finished(Checker& c, const ProbeResult&, bool changed) override {
    if (changed) transitions.push_back(c.up());
  }
};

class CheckerTest : public ::testing::Test {
 protected:
  std::unique_ptr<Checker> make(CheckTiming timing) {
    auto probe = std::make_unique<ScriptedProbe>(answers, starts, io);
    probe_ = probe.get();
    return std::make_unique<Checker>(io, timing, std::move(probe), events);
  }
  Duration since_start(size_t i) const { return starts[i] - Instant{}; }

  ManualIo io;
  Recorder events;
  std::deque<std::optional<bool>> answers;
  std::vector<Instant> starts;
  ScriptedProbe* probe_ = nullptr;
  SplitMix64 jitter{7};
};

CheckTiming timing(Duration delay_loop, unsigned retry, Duration before_retry) {
  CheckTiming t;
  t.delay_loop = delay_loop;
  t.retry = retry;
  t.delay_before_retry = before_retry;
  t.connect_timeout = seconds(2);
  t.warmup = Duration{0};
  return t;
}

TEST_F(CheckerTest, SuccessfulChecksRunEveryDelayLoop) {
  auto c = make(timing(seconds(5), 1, seconds(1)));
  c->start(jitter);
  io.advance(seconds(16));
  ASSERT_EQ(starts.size(), 4u);
  EXPECT_EQ(since_start(0), seconds(0));
  EXPECT_EQ(since_start(3), seconds(15));
  EXPECT_TRUE(c->up());
  EXPECT_TRUE(events.transitions.empty());
}

TEST_F(CheckerTest, FailureIsRetriedBeforeTheServerGoesDown) {
  auto c = make(timing(seconds(10), 2, seconds(3)));
  answers = {false, false, false, true};
  c->start(jitter);
  io.advance(seconds(5));
  EXPECT_TRUE(c->up()) << "two retries are still pending";
  EXPECT_EQ(c->failed_attempts(), 2u);
  io.advance(seconds(2));  // t=7: third failure
  EXPECT_FALSE(c->up());
  ASSERT_EQ(starts.size(), 3u);
  EXPECT_EQ(since_start(1), seconds(3));
  EXPECT_EQ(since_start(2), seconds(6));
  io.advance(seconds(10));  // t=16: next check after delay_loop succeeds
  EXPECT_EQ(since_start(3), seconds(16));
  EXPECT_TRUE(c->up());
  EXPECT_EQ(events.transitions, (std::vector<bool>{false, true}));
}

TEST_F(CheckerTest, RetryZeroFailsOnTheFirstFailure) {
  auto c = make(timing(seconds(1), 0, seconds(1)));
  answers = {true, false};
  c->start(jitter);
  io.advance(milliseconds(1500));
  EXPECT_FALSE(c->up());
  EXPECT_EQ(events.transitions, std::vector<bool>{false});
}

TEST_F(CheckerTest, AnAttemptWithoutAnswerFailsAtConnectTimeout) {
  auto c = make(timing(seconds(10), 0, seconds(1)));
  answers = {std::nullopt};
  c->start(jitter);
  io.advance(milliseconds(1999));
  EXPECT_TRUE(c->up());
  io.advance(milliseconds(1));
  EXPECT_FALSE(c->up());
  EXPECT_EQ(probe_->cancels, 1);
}

TEST_F(CheckerTest, AlphaStartsDownAndOneSuccessBringsItUp) {
  auto t = timing(seconds(10), 3, seconds(1));
  t.alpha = true;
  auto c = make(t);
  EXPECT_FALSE(c->up());
  c->start(jitter);
  io.advance(Duration{0});
  EXPECT_TRUE(c->up());
  EXPECT_EQ(events.transitions, std::vector<bool>{true});
}

TEST_F(CheckerTest, WarmupSpreadsFirstChecksOverTheWholeWindow) {
  auto t = timing(seconds(60), 1, seconds(1));
  t.warmup = seconds(10);
  std::vector<std::unique_ptr<Checker>> checkers;
  for (int i = 0; i < 200; ++i) {
    checkers.push_back(make(t));
    checkers.back()->start(jitter);
  }
  Instant first = Instant::max(), last = Instant::min();
  for (const auto& c : checkers) {
    EXPECT_GE(c->next_due(), Instant{});
    EXPECT_LE(c->next_due(), Instant{} + seconds(10));
    first = std::min(first, c->next_due());
    last = std::max(last, c->next_due());
  }
  EXPECT_LT(first - Instant{}, seconds(1)) << "200 uniform draws leave no empty first second";
  EXPECT_GT(last - Instant{}, seconds(9));
}

TEST_F(CheckerTest, WarmupDefaultsToDelayLoop) {
  CheckTiming t;
  t.delay_loop = seconds(6);
  EXPECT_EQ(t.first_check_bound(), seconds(6));
}

TEST_F(CheckerTest, AdoptKeepsStateAndSchedule) {
  auto old = make(timing(seconds(10), 0, seconds(1)));
  answers = {false};
  old->start(jitter);
  io.advance(seconds(4));
  ASSERT_FALSE(old->up());
  auto replacement = make(timing(seconds(10), 0, seconds(1)));
  replacement->adopt(*old);
  old.reset();
  EXPECT_FALSE(replacement->up()) << "a reload must not flap a failed server back up";
  EXPECT_EQ(replacement->next_due(), Instant{} + seconds(10));
  io.advance(seconds(6));
  EXPECT_TRUE(replacement->up());
  EXPECT_EQ(starts.size(), 2u) << "the old checker's timer went with it";
}

TEST_F(CheckerTest, LatenessIsMeasuredAgainstTheSchedule) {
  auto c = make(timing(seconds(1), 0, seconds(1)));
  c->start(jitter);
  io.advance(seconds(3));
  ASSERT_FALSE(events.lateness.empty());
  for (auto late : events.lateness) EXPECT_EQ(late, Duration{0});
}

}  // namespace
}  // namespace vsd::health

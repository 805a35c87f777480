#pragma once

#include <memory>
#include <string>

#include "common/random.h"
#include "health/checker_settings.h"
#include "health/io.h"
#include "health/probe.h"

namespace vsd::health {

class Checker;

// What a checker tells its owner: each launch (with how late it ran against its schedule) and
// each finished check (with whether the checker's up/down state changed).
class CheckerEvents {
 public:
  virtual ~CheckerEvents() = default;
  virtual void launched(const Checker& checker, Duration lateness) {
    (void)checker, (void)lateness;
  }
  virtual void finished(Checker& checker, const ProbeResult& result, bool state_changed) = 0;
};

// The checker base: owns the timing (delay_loop, retry, delay_before_retry, connect_timeout,
// warmup), the deadline of each attempt and the up/down transitions; the probe supplies only
// the protocol. keepalived's rules: a failed attempt is retried `retry` times before the checker
// goes down; one success brings it up; alpha starts it down.
class Checker {
 public:
  Checker(Io& io, CheckTiming timing, std::unique_ptr<Probe> probe, CheckerEvents& events);
  ~Checker();
  Checker(const Checker&) = delete;
  Checker& operator=(const Checker&) = delete;

  // Schedules the first check at a uniformly random point of [0, warmup].
  void start(SplitMix64& jitter);
  // Takes over the state of the checker this one replaces on reload (unchanged settings), and
  // continues its schedule instead of starting over.
  void adopt(const Checker& previous);

  bool up() const { return up_; }
  unsigned failed_attempts() const { return failed_attempts_; }
  const CheckTiming& timing() const { return timing_; }
  std::optional<int64_t> weight() const { return weight_; }
  int64_t weight_offset() const { return weight_offset_; }
  Instant next_due() const { return due_; }
  uint64_t runs() const { return runs_; }

 private:
  // A probe that knows its answer without waiting sets the state from it.
  void take_state_now();
  void schedule(Duration delay);
  void launch();
  void complete(ProbeResult result);
  // A result the probe reported between checks, applied as a FILE_CHECK check applies one.
  void apply_now(const ProbeResult& result);
  // Takes a result without retrying a failure; returns whether up/down or a weight changed.
  bool settle(const ProbeResult& result);
  void stop_attempt();

  Io& io_;
  CheckTiming timing_;
  std::unique_ptr<Probe> probe_;
  CheckerEvents& events_;
  bool up_;
  unsigned failed_attempts_ = 0;
  std::optional<int64_t> weight_;
  int64_t weight_offset_ = 0;
  Instant due_{};
  TimerQueue::Id next_timer_ = 0;
  TimerQueue::Id deadline_timer_ = 0;
  bool running_ = false;
  uint64_t runs_ = 0;
};

}  // namespace vsd::health

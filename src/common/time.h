#pragma once

#include <chrono>
#include <cstdint>

namespace vsd {

// Monotonic time as the data plane and the control plane see it. Live, it comes from
// CLOCK_MONOTONIC; offline (pcap replay) and in tests it comes from the packets or a ManualClock.
using Duration = std::chrono::nanoseconds;
struct MonotonicTag {};
using Instant = std::chrono::time_point<MonotonicTag, Duration>;

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  Instant now() const override {
    return Instant{
        std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now().time_since_epoch())};
  }
};

// A clock that moves only when told to: unit tests and replay.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start = Instant{}) : now_(start) {}
  Instant now() const override { return now_; }
  void advance(Duration by) { now_ += by; }
  void set(Instant to) { now_ = to; }

 private:
  Instant now_;
};

}  // namespace vsd

#pragma once

#include <cstdint>

#include "core/stats.h"

namespace vsd::core {

// Per-second rates as ipvsadm --rate prints them.
struct Rates {
  uint64_t cps = 0;
  uint64_t in_pps = 0;
  uint64_t out_pps = 0;
  uint64_t in_bps = 0;
  uint64_t out_bps = 0;
  friend bool operator==(const Rates&, const Rates&) = default;
};

// The IPVS rate estimator (net/netfilter/ipvs/ip_vs_est.c): sampled every 2 seconds, each rate is
// an EWMA with weight 1/4, kept in fixed point (conns and packets scaled by 2^10 per second,
// bytes by 2^5) so that small rates do not round away.
class RateEstimator {
 public:
  static constexpr int kIntervalSeconds = 2;

  // Starts from the current counters, so that the first sample measures only what follows.
  void start(const StatsTotals& now);
  // Call every kIntervalSeconds with the raw (never-zeroed) totals.
  void sample(const StatsTotals& now);
  Rates rates() const;
  void reset(const StatsTotals& now) { start(now); }

 private:
  StatsTotals last_;
  // Fixed-point averages.
  int64_t cps_ = 0, in_pps_ = 0, out_pps_ = 0, in_bps_ = 0, out_bps_ = 0;
};

}  // namespace vsd::core

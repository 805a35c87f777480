// Matched: net/netfilter/ipvs/ip_vs_est.c (2 s sampling, EWMA weight 1/4, fixed point).
#include "core/rate_estimator.h"

#include <gtest/gtest.h>

namespace vsd::core {
namespace {

StatsTotals at(uint64_t conns, uint64_t packets, uint64_t bytes) {
  return StatsTotals{conns, packets, packets / 2, bytes, bytes / 2};
}

TEST(RateEstimator, ConvergesToASteadyRate) {
  RateEstimator e;
  e.start(at(0, 0, 0));
  // 100 conn/s, 1000 pkt/s, 64 kB/s, sampled every 2 s for 200 s (the 1/4 EWMA needs ~50
  // samples to settle within a byte per second).
  for (uint64_t t = 1; t <= 100; ++t) e.sample(at(200 * t, 2000 * t, 128000 * t));
  const Rates r = e.rates();
  EXPECT_EQ(r.cps, 100u);
  EXPECT_EQ(r.in_pps, 1000u);
  EXPECT_EQ(r.out_pps, 500u);
  EXPECT_EQ(r.in_bps, 64000u);
  EXPECT_EQ(r.out_bps, 32000u);
}

TEST(RateEstimator, FirstSampleIsAQuarterOfTheRate) {
  RateEstimator e;
  e.start(at(0, 0, 0));
  e.sample(at(800, 800, 0));  // 400/s over the interval; average moves 1/4 of the way
  EXPECT_EQ(e.rates().cps, 100u);
  e.sample(at(1600, 1600, 0));  // 100 + (400-100)/4 = 175
  EXPECT_EQ(e.rates().cps, 175u);
}

TEST(RateEstimator, DecaysWhenTrafficStops) {
  RateEstimator e;
  e.start(at(0, 0, 0));
  for (uint64_t t = 1; t <= 40; ++t) e.sample(at(200 * t, 0, 0));
  for (int i = 0; i < 40; ++i) e.sample(at(200 * 40, 0, 0));
  EXPECT_EQ(e.rates().cps, 0u);
}

TEST(RateEstimator, CountsBeforeStartAreNotARate) {
  RateEstimator e;
  e.start(at(1000000, 1000000, 1000000));
  e.sample(at(1000000, 1000000, 1000000));
  EXPECT_EQ(e.rates(), Rates{});
}

}  // namespace
}  // namespace vsd::core

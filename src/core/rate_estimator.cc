#include "core/rate_estimator.h"

namespace vsd::core {

void RateEstimator::start(const StatsTotals& now) {
  last_ = now;
  cps_ = in_pps_ = out_pps_ = in_bps_ = out_bps_ = 0;
}

namespace {
// Difference over 2 s, scaled: << 9 gives per-second * 2^10 for counts, << 4 gives per-second * 2^5
// for bytes. Then average += (rate - average) / 4.
void smooth(int64_t& average, uint64_t now, uint64_t last, int shift) {
  const auto rate = static_cast<int64_t>((now - last) << shift);
  average += (rate - average) >> 2;
}
uint64_t unscale(int64_t average, int shift) {
  // Rounded as ip_vs_read_estimator does: cps = (avg + 0x1FF) >> 10, bps = (avg + 0xF) >> 5.
  if (average <= 0) return 0;
  return static_cast<uint64_t>((average + (int64_t{1} << (shift - 1)) - 1) >> shift);
}
}  // namespace

void RateEstimator::sample(const StatsTotals& now) {
  smooth(cps_, now.conns, last_.conns, 9);
  smooth(in_pps_, now.in_packets, last_.in_packets, 9);
  smooth(out_pps_, now.out_packets, last_.out_packets, 9);
  smooth(in_bps_, now.in_bytes, last_.in_bytes, 4);
  smooth(out_bps_, now.out_bytes, last_.out_bytes, 4);
  last_ = now;
}

Rates RateEstimator::rates() const {
  return Rates{unscale(cps_, 10), unscale(in_pps_, 10), unscale(out_pps_, 10), unscale(in_bps_, 5),
               unscale(out_bps_, 5)};
}

}  // namespace vsd::core

// Weighted round robin (IPVS ip_vs_wrr.c): passes over the list with a falling weight bar cw,
// each pass choosing, in order, the destinations whose weight reaches the bar. The bar starts at
// mw (the highest weight less di - 1, so that the last pass is at 1) and falls by di (the gcd of
// the weights) at each return to the list head. Weights 1, 2, 3 give C B C A B C.
#include <algorithm>
#include <mutex>
#include <numeric>

#include "common/spinlock.h"
#include "sched/algorithms.h"

namespace vsd::sched {

namespace {

class WeightedRoundRobin final : public core::Scheduler {
 public:
  explicit WeightedRoundRobin(const core::SchedulerSpec& spec)
      : destinations_(spec.destinations), head_(destinations_.size()), position_(head_) {
    int32_t gcd = 0;
    int32_t highest = 0;
    for (const core::RealServer* d : destinations_) {
      const int32_t w = d->weight();
      if (w > 0) gcd = gcd > 0 ? std::gcd(w, gcd) : w;
      highest = std::max(highest, w);
    }
    step_ = gcd > 0 ? gcd : 1;
    top_ = highest - (step_ - 1);
    bar_ = top_;
  }

  core::RealServer* schedule(const core::SchedulingInput&) override {
    std::lock_guard guard(lock_);
    if (top_ == 0) return nullptr;  // every weight is 0
    const size_t started_at = position_;
    size_t stop = kNoStop;
    bool last_pass = false;
    bool restarted = false;
    size_t i = position_;
    for (;;) {
      for (i = (i == head_ ? 0 : i + 1); i < head_; ++i) {
        const core::RealServer& d = *destinations_[i];
        if (!d.overloaded() && d.weight() >= bar_) {
          position_ = i;
          return destinations_[i];
        }
        if (i == stop) return give_up_at(i);
      }
      // Back at the head: lower the bar, or start again from the top.
      bar_ -= step_;
      if (bar_ <= 0) {
        bar_ = top_;
        // Every destination was tried at bar 1 already: in this call's previous pass, or in its
        // only pass when it started from the head.
        if (last_pass || started_at == head_) return give_up_at(head_);
        restarted = true;
      }
      last_pass = bar_ <= step_;
      // The pass at bar 1 that began this call saw only the destinations after started_at;
      // this one must see those up to it, and no more.
      if (last_pass && restarted && started_at != head_) stop = started_at;
    }
  }

  // What ip_vs_wrr_dest_changed() does when the list or a weight changes: restart from the head,
  // keep the bar unless it is now above the top, and align it to the new step.
  void inherit(core::Scheduler& previous) override {
    auto* before = dynamic_cast<WeightedRoundRobin*>(&previous);
    if (!before) return;
    int32_t bar;
    {
      std::lock_guard guard(before->lock_);
      bar = before->bar_;
    }
    std::lock_guard guard(lock_);
    position_ = head_;
    if (bar > top_ || bar == 0)
      bar_ = top_;
    else if (step_ > 1)
      bar_ = (bar / step_) * step_ + 1;
    else
      bar_ = bar;
  }

  std::string_view name() const override { return "wrr"; }

 private:
  static constexpr size_t kNoStop = SIZE_MAX;

  core::RealServer* give_up_at(size_t position) {
    position_ = position;
    return nullptr;
  }

  const std::vector<core::RealServer*> destinations_;
  const size_t head_;  // the position before the first destination (IPVS's list head)
  int32_t step_ = 1;   // di
  int32_t top_ = 0;    // mw
  SpinLock lock_;
  size_t position_;  // cl: the destination chosen last, or head_
  int32_t bar_ = 0;  // cw
};

}  // namespace

std::unique_ptr<core::Scheduler> make_weighted_round_robin(const core::SchedulerSpec& spec) {
  return std::make_unique<WeightedRoundRobin>(spec);
}

}  // namespace vsd::sched

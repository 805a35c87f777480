// Round robin (IPVS ip_vs_rr.c): circular over the list, continuing after the destination
// chosen last, skipping quiesced and overloaded ones.
#include <mutex>

#include "common/spinlock.h"
#include "sched/algorithms.h"
#include "sched/availability.h"

namespace vsd::sched {

namespace {

class RoundRobin final : public core::Scheduler {
 public:
  explicit RoundRobin(const core::SchedulerSpec& spec) : destinations_(spec.destinations) {}

  core::RealServer* schedule(const core::SchedulingInput&) override {
    std::lock_guard guard(lock_);
    const size_t n = destinations_.size();
    for (size_t step = 0; step < n; ++step) {
      const size_t i = (next_ + step) % n;
      if (can_take_new_connections(*destinations_[i])) {
        next_ = (i + 1) % n;
        last_ = destinations_[i];
        return last_;
      }
    }
    return nullptr;
  }

  void inherit(core::Scheduler& previous) override {
    auto* before = dynamic_cast<RoundRobin*>(&previous);
    if (!before) return;
    std::lock_guard guard(before->lock_);
    // Carry on after the destination chosen last, if it is still listed.
    for (size_t i = 0; i < destinations_.size(); ++i) {
      if (destinations_[i] == before->last_) {
        next_ = (i + 1) % destinations_.size();
        last_ = before->last_;
        return;
      }
    }
    next_ = destinations_.empty() ? 0 : before->next_ % destinations_.size();
  }

  std::string_view name() const override { return "rr"; }

 private:
  const std::vector<core::RealServer*> destinations_;
  SpinLock lock_;
  size_t next_ = 0;
  core::RealServer* last_ = nullptr;
};

}  // namespace

std::unique_ptr<core::Scheduler> make_round_robin(const core::SchedulerSpec& spec) {
  return std::make_unique<RoundRobin>(spec);
}

}  // namespace vsd::sched

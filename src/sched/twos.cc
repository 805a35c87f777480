// Power of two choices (IPVS ip_vs_twos.c): two servers drawn at random with probability
// proportional to weight; the one with the lower overhead/weight takes the connection, the
// first draw winning a tie.
#include <mutex>

#include "common/hash.h"
#include "common/random.h"
#include "common/spinlock.h"
#include "sched/algorithms.h"
#include "sched/locality_rules.h"

namespace vsd::sched {

namespace {

class PowerOfTwoChoices final : public core::Scheduler {
 public:
  PowerOfTwoChoices(const core::SchedulerSpec& spec, uint64_t seed)
      : destinations_(spec.destinations), random_(seed) {}

  core::RealServer* schedule(const core::SchedulingInput&) override {
    uint64_t total_weight = 0;
    core::RealServer* last_eligible = nullptr;
    for (core::RealServer* d : destinations_) {
      if (d->overloaded() || d->weight() <= 0) continue;
      total_weight += uint64_t(d->weight());
      last_eligible = d;
    }
    if (!last_eligible) return nullptr;

    // IPVS draws from [0, total] inclusive, so the first server has one chance more than its
    // weight; kept so that the spread is IPVS's.
    uint64_t draw1, draw2;
    {
      std::lock_guard guard(lock_);
      draw1 = random_.below(total_weight + 1);
      draw2 = random_.below(total_weight + 1);
    }
    int64_t left1 = static_cast<int64_t>(draw1);
    int64_t left2 = static_cast<int64_t>(draw2);
    // A weight edited between the two passes can leave a draw unplaced; IPVS then compares
    // with the last eligible server at overhead 0 and weight -1, and so does this.
    core::RealServer* choice1 = last_eligible;
    core::RealServer* choice2 = nullptr;
    int64_t weight1 = -1, weight2 = -1;
    int64_t overhead1 = 0, overhead2 = 0;
    for (core::RealServer* d : destinations_) {
      if (d->overloaded()) continue;
      const int64_t weight = d->weight();
      if (weight <= 0) continue;
      left1 -= weight;
      left2 -= weight;
      if (left1 <= 0 && weight1 == -1) {
        choice1 = d;
        weight1 = weight;
        overhead1 = static_cast<int64_t>(locality_overhead(*d));
      }
      if (left2 <= 0 && weight2 == -1) {
        choice2 = d;
        weight2 = weight;
        overhead2 = static_cast<int64_t>(locality_overhead(*d));
      }
      if (weight1 != -1 && weight2 != -1) break;
    }
    if (choice2 && weight2 * overhead1 > weight1 * overhead2) return choice2;
    return choice1;
  }

  // Continue the predecessor's random sequence rather than replay it from the seed.
  void inherit(core::Scheduler& previous) override {
    auto* before = dynamic_cast<PowerOfTwoChoices*>(&previous);
    if (!before) return;
    std::lock_guard guard(before->lock_);
    random_ = before->random_;
  }

  std::string_view name() const override { return "twos"; }

 private:
  const std::vector<core::RealServer*> destinations_;
  SpinLock lock_;
  SplitMix64 random_;
};

}  // namespace

uint64_t two_choices_seed(const core::SchedulerSpec& spec) {
  uint64_t seed = 0x7770'6f73'0000'0000ULL;  // "twos"
  for (const core::RealServer* d : spec.destinations) {
    seed = hash_combine(seed, hash_bytes(d->address().bytes().data(), d->address().bytes().size()));
    seed = hash_combine(seed, d->port());
  }
  return seed;
}

std::unique_ptr<core::Scheduler> make_power_of_two_choices(const core::SchedulerSpec& spec,
                                                           uint64_t seed) {
  return std::make_unique<PowerOfTwoChoices>(spec, seed);
}

std::unique_ptr<core::Scheduler> make_power_of_two_choices(const core::SchedulerSpec& spec) {
  return make_power_of_two_choices(spec, two_choices_seed(spec));
}

}  // namespace vsd::sched

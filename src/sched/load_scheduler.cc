#include "sched/load_scheduler.h"

#include <mutex>
#include <vector>

namespace vsd::sched {

namespace {

class LoadScheduler final : public core::Scheduler, private core::LoadListener {
 public:
  LoadScheduler(const core::SchedulerSpec& spec, const LoadOrder& order, std::string_view name)
      : destinations_(spec.destinations),
        board_(spec.service_load),
        order_(order),
        name_(name),
        index_(order, destinations_.size()) {
    if (board_) board_->attach(this, [this] { rebuild(); });
  }

  ~LoadScheduler() override {
    if (board_) board_->detach(this);
  }

  core::RealServer* schedule(const core::SchedulingInput&) override {
    if (board_ && board_->attached(this)) {
      std::lock_guard guard(board_->lock());
      // Checked again under the lock: once another scheduler has attached, changes no longer
      // reach this index, so it may be stale.
      if (board_->attached(this)) {
        const int32_t winner = index_.winner();
        return winner == LoadIndex::kNone ? nullptr : destinations_[winner];
      }
    }
    return scan();
  }

  std::string_view name() const override { return name_; }

 private:
  // Runs under the board lock, right after this scheduler became the listener.
  void rebuild() {
    for (size_t i = 0; i < destinations_.size(); ++i) {
      destinations_[i]->scheduler_slot = static_cast<uint32_t>(i);
      index_.set_leaf(i, LoadSample::of(*destinations_[i]));
    }
    index_.rebuild_nodes();
  }

  void load_changed(core::RealServer& destination) override {
    // A destination removed from this list (still alive for its connections) or added after
    // this scheduler was built carries a slot that is not ours.
    const uint32_t slot = destination.scheduler_slot;
    if (slot >= destinations_.size() || destinations_[slot] != &destination) return;
    index_.update(slot, LoadSample::of(destination));
  }

  // IPVS's own way: walk the list, keep the first eligible destination and let a later one
  // displace it only when strictly better.
  core::RealServer* scan() const {
    core::RealServer* chosen = nullptr;
    LoadSample best;
    for (core::RealServer* d : destinations_) {
      const LoadSample sample = LoadSample::of(*d);
      if (!order_.eligible(sample)) continue;
      if (!chosen || order_.better(sample, best)) {
        chosen = d;
        best = sample;
      }
    }
    return chosen;
  }

  const std::vector<core::RealServer*> destinations_;
  core::ServiceLoad* const board_;
  const LoadOrder order_;
  const std::string_view name_;
  LoadIndex index_;  // guarded by board_->lock()
};

}  // namespace

std::unique_ptr<core::Scheduler> make_load_scheduler(const core::SchedulerSpec& spec,
                                                     const LoadOrder& order,
                                                     std::string_view name) {
  return std::make_unique<LoadScheduler>(spec, order, name);
}

}  // namespace vsd::sched

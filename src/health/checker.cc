#include "health/checker.h"

namespace vsd::health {

Checker::Checker(Io& io, CheckTiming timing, std::unique_ptr<Probe> probe, CheckerEvents& events)
    : io_(io), timing_(timing), probe_(std::move(probe)), events_(events), up_(!timing.alpha) {
  probe_->report_changes([this](ProbeResult result) { apply_now(result); });
}

Checker::~Checker() {
  if (next_timer_) io_.cancel(next_timer_);
  stop_attempt();
}

void Checker::take_state_now() {
  if (auto known = probe_->state_now()) {
    up_ = known->ok;
    weight_ = known->weight;
    weight_offset_ = known->ok ? known->weight_offset : 0;
  }
}

void Checker::start(SplitMix64& jitter) {
  take_state_now();
  const auto bound = static_cast<uint64_t>(timing_.first_check_bound().count());
  schedule(Duration{static_cast<Duration::rep>(bound ? jitter.below(bound + 1) : 0)});
}

void Checker::adopt(const Checker& previous) {
  up_ = previous.up_;
  failed_attempts_ = previous.failed_attempts_;
  weight_ = previous.weight_;
  weight_offset_ = previous.weight_offset_;
  take_state_now();  // a tracked file is read again, as keepalived does on reload
  const Instant now = io_.now();
  // An attempt in flight dies with the old checker; its retry starts right away.
  schedule(previous.running_ ? Duration{0} : std::max(Duration{0}, previous.due_ - now));
}

void Checker::schedule(Duration delay) {
  if (next_timer_) io_.cancel(next_timer_);
  due_ = io_.now() + delay;
  next_timer_ = io_.after(delay, [this] {
    next_timer_ = 0;
    launch();
  });
}

void Checker::launch() {
  events_.launched(*this, io_.now() - due_);
  running_ = true;
  ++runs_;
  deadline_timer_ = io_.after(timing_.connect_timeout, [this] {
    deadline_timer_ = 0;
    probe_->cancel();
    complete(probe_->at_deadline());
  });
  probe_->start([this](ProbeResult result) { complete(std::move(result)); });
}

void Checker::stop_attempt() {
  if (deadline_timer_) io_.cancel(deadline_timer_);
  deadline_timer_ = 0;
  if (running_) probe_->cancel();
  running_ = false;
}

void Checker::complete(ProbeResult result) {
  if (!running_) return;  // a late answer after the deadline
  if (deadline_timer_) io_.cancel(deadline_timer_);
  deadline_timer_ = 0;
  running_ = false;
  if (!result.ok && failed_attempts_ < timing_.retry) {
    ++failed_attempts_;
    schedule(timing_.delay_before_retry);
    events_.finished(*this, result, false);
    return;
  }
  const bool changed = settle(result);
  schedule(timing_.delay_loop);
  events_.finished(*this, result, changed);
}

void Checker::apply_now(const ProbeResult& result) {
  // The periodic schedule goes on: it is the fallback when a change is not reported.
  events_.finished(*this, result, settle(result));
}

bool Checker::settle(const ProbeResult& result) {
  failed_attempts_ = 0;
  bool changed = false;
  if (result.ok) {
    if (result.weight && result.weight != weight_) {
      weight_ = result.weight;
      changed = true;
    }
    if (result.weight_offset != weight_offset_) {
      weight_offset_ = result.weight_offset;
      changed = true;
    }
    if (!up_) up_ = changed = true;
  } else {
    weight_offset_ = 0;  // keepalived takes a failed checker's share of the weight back
    if (up_) {
      up_ = false;
      changed = true;
    }
  }
  return changed;
}

}  // namespace vsd::health

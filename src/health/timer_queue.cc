#include "health/timer_queue.h"

namespace vsd::health {

TimerQueue::Id TimerQueue::schedule(Instant due, std::function<void()> callback) {
  const Id id = next_id_++;
  heap_.push(Entry{due, id});
  callbacks_.emplace(id, std::move(callback));
  return id;
}

void TimerQueue::cancel(Id id) {
  callbacks_.erase(id);
}

void TimerQueue::drop_cancelled() {
  while (!heap_.empty() && !callbacks_.contains(heap_.top().id)) heap_.pop();
}

std::optional<Instant> TimerQueue::next_due() {
  drop_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due;
}

void TimerQueue::run_due(Instant now) {
  for (;;) {
    drop_cancelled();
    if (heap_.empty() || heap_.top().due > now) return;
    const Id id = heap_.top().id;
    heap_.pop();
    auto it = callbacks_.find(id);
    auto callback = std::move(it->second);
    callbacks_.erase(it);
    callback();
  }
}

}  // namespace vsd::health

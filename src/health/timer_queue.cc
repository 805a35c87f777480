#include "health/timer_queue.h"

#include <algorithm>

namespace vsd::health {

TimerQueue::Id TimerQueue::schedule(Instant due, std::function<void()> callback) {
  uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& slot = slots_[index];
  ++slot.generation;
  if (slot.generation == 0) slot.generation = 1;  // after 2^32 uses: keep Ids non-zero
  slot.live = true;
  slot.callback = std::move(callback);
  heap_.push_back(Entry{due, next_sequence_++, index, slot.generation});
  std::push_heap(heap_.begin(), heap_.end(), later);
  return (static_cast<Id>(slot.generation) << 32) | index;
}

void TimerQueue::release(uint32_t index) {
  slots_[index].live = false;
  slots_[index].callback = nullptr;
  free_.push_back(index);
}

void TimerQueue::cancel(Id id) {
  const auto index = static_cast<uint32_t>(id & 0xffffffffu);
  const auto generation = static_cast<uint32_t>(id >> 32);
  if (index >= slots_.size() || !slots_[index].live || slots_[index].generation != generation)
    return;
  release(index);
}

void TimerQueue::drop_cancelled() {
  while (!heap_.empty() && !current(heap_.front())) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
  }
}

std::optional<Instant> TimerQueue::next_due() {
  drop_cancelled();
  if (heap_.empty()) return std::nullopt;
  return heap_.front().due;
}

void TimerQueue::run_due(Instant now) {
  for (;;) {
    drop_cancelled();
    if (heap_.empty() || heap_.front().due > now) return;
    const uint32_t index = heap_.front().slot;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    auto callback = std::move(slots_[index].callback);
    release(index);
    callback();
  }
}

}  // namespace vsd::health

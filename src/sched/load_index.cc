#include "sched/load_index.h"

#include <algorithm>
#include <bit>

namespace vsd::sched {

LoadSample LoadSample::of(const core::RealServer& destination) {
  LoadSample s;
  s.weight = static_cast<uint32_t>(std::max(destination.weight(), 0));
  s.active = destination.active_connections();
  s.inactive = destination.inactive_connections();
  s.overloaded = destination.overloaded();
  return s;
}

LoadIndex::LoadIndex(const LoadOrder& order, size_t size) : order_(order), samples_(size) {
  if (size == 0) return;
  leaves_ = std::bit_ceil(size);
  nodes_.assign(2 * leaves_, kNone);
}

int32_t LoadIndex::match(int32_t earlier, int32_t later) const {
  if (earlier == kNone) return later;
  if (later == kNone) return earlier;
  return order_.better(samples_[later], samples_[earlier]) ? later : earlier;
}

void LoadIndex::set_leaf(size_t position, const LoadSample& sample) {
  samples_[position] = sample;
  nodes_[leaves_ + position] = order_.eligible(sample) ? static_cast<int32_t>(position) : kNone;
}

void LoadIndex::update(size_t position, const LoadSample& sample) {
  set_leaf(position, sample);
  for (size_t node = (leaves_ + position) / 2; node >= 1; node /= 2) refresh(node);
}

void LoadIndex::rebuild_nodes() {
  if (leaves_ < 2) return;  // a single leaf is the root itself
  for (size_t node = leaves_ - 1; node >= 1; --node) refresh(node);
}

}  // namespace vsd::sched

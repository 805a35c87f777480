#include "core/stats.h"

#include <memory>
#include <new>

namespace vsd::core {

StatsTotals& StatsTotals::operator+=(const StatsTotals& o) {
  conns += o.conns;
  in_packets += o.in_packets;
  out_packets += o.out_packets;
  in_bytes += o.in_bytes;
  out_bytes += o.out_bytes;
  return *this;
}

StatsTotals operator-(StatsTotals a, const StatsTotals& b) {
  a.conns -= b.conns;
  a.in_packets -= b.in_packets;
  a.out_packets -= b.out_packets;
  a.in_bytes -= b.in_bytes;
  a.out_bytes -= b.out_bytes;
  return a;
}

Stats::Stats(unsigned workers)
    : workers_(workers == 0 ? 1 : workers),
      storage_(new std::byte[(workers_ + 1) * sizeof(Slot) + alignof(Slot) - 1]) {
  // One slot per worker and the shared slot after them.
  void* first = storage_.get();
  size_t space = (workers_ + 1) * sizeof(Slot) + alignof(Slot) - 1;
  slots_ =
      static_cast<Slot*>(std::align(alignof(Slot), (workers_ + 1) * sizeof(Slot), first, space));
  for (unsigned i = 0; i <= workers_; ++i) new (&slots_[i]) Slot;  // trivially destructible
}

StatsTotals Stats::raw_totals() const {
  StatsTotals t;
  for (unsigned i = 0; i <= workers_; ++i) {
    const Slot& s = slots_[i];
    t.conns += s.conns.load(std::memory_order_relaxed);
    t.in_packets += s.in_packets.load(std::memory_order_relaxed);
    t.out_packets += s.out_packets.load(std::memory_order_relaxed);
    t.in_bytes += s.in_bytes.load(std::memory_order_relaxed);
    t.out_bytes += s.out_bytes.load(std::memory_order_relaxed);
  }
  return t;
}

StatsTotals Stats::totals() const {
  return raw_totals() - base_;
}

void Stats::zero() {
  base_ = raw_totals();
}

}  // namespace vsd::core

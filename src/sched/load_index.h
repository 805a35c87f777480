#pragma once

#include <cstdint>
#include <vector>

#include "core/real_server.h"

namespace vsd::sched {

// The counters a load-based algorithm compares, copied from a destination at one moment so that
// every comparison inside the index sees the same values.
struct LoadSample {
  uint32_t weight = 0;
  uint32_t active = 0;
  uint32_t inactive = 0;
  bool overloaded = false;

  static LoadSample of(const core::RealServer& destination);
  // include/net/ip_vs.h ip_vs_dest_conn_overhead(), widened so that it cannot overflow.
  uint64_t overhead() const { return uint64_t{active} * 256 + inactive; }
  // ip_vs_sed.c / ip_vs_nq.c: only active connections, plus the one being scheduled.
  uint64_t expected_delay() const { return uint64_t{active} + 1; }
};

// The availability rule of sched/availability.h, on a sample.
inline bool can_take_new_connections(const LoadSample& s) {
  return s.weight > 0 && !s.overloaded;
}

// later_load / later_weight < earlier_load / earlier_weight, compared as IPVS does: by
// cross-multiplying, with no division (a weight of 0 on the later side never wins).
inline bool lighter_per_weight(uint64_t later_load, uint32_t later_weight, uint64_t earlier_load,
                               uint32_t earlier_weight) {
  return earlier_load * later_weight > later_load * earlier_weight;
}

// One IPVS load-based algorithm as a strict order. IPVS scans the list and lets a later
// destination displace the one held only when it is strictly better, so the first of several
// equal destinations wins; `better` must be a strict weak order for the index to agree with
// that scan.
struct LoadOrder {
  bool (*eligible)(const LoadSample& destination);
  bool (*better)(const LoadSample& later, const LoadSample& earlier);
};

// A tournament tree over a destination list: each leaf holds a destination's sample, each inner
// node the winner of its two halves under a LoadOrder, the left (earlier) half winning ties. The
// root is then the destination the IPVS scan would choose, and a changed destination costs one
// leaf-to-root path instead of a scan. Not thread-safe: the owner serialises access.
class LoadIndex {
 public:
  static constexpr int32_t kNone = -1;

  LoadIndex(const LoadOrder& order, size_t size);

  // One destination changed: its leaf and the path above it.
  void update(size_t position, const LoadSample& sample);
  // Many destinations changed: set their leaves, then rebuild the inner nodes once.
  void set_leaf(size_t position, const LoadSample& sample);
  void rebuild_nodes();
  // The chosen position, or kNone when no destination is eligible.
  int32_t winner() const { return nodes_.empty() ? kNone : nodes_[1]; }
  size_t size() const { return samples_.size(); }

 private:
  int32_t match(int32_t earlier, int32_t later) const;
  void refresh(size_t node) { nodes_[node] = match(nodes_[2 * node], nodes_[2 * node + 1]); }

  LoadOrder order_;
  size_t leaves_ = 0;  // a power of two >= size(); leaf i is node leaves_ + i
  std::vector<LoadSample> samples_;
  std::vector<int32_t> nodes_;  // 1-based heap layout; node 0 unused
};

}  // namespace vsd::sched

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace vsd::core {

// What ipvsadm --stats shows for a service or a destination.
struct StatsTotals {
  uint64_t conns = 0;
  uint64_t in_packets = 0;
  uint64_t out_packets = 0;
  uint64_t in_bytes = 0;
  uint64_t out_bytes = 0;

  StatsTotals& operator+=(const StatsTotals& o);
  friend StatsTotals operator-(StatsTotals a, const StatsTotals& b);
  friend bool operator==(const StatsTotals&, const StatsTotals&) = default;
};

// Counters with one cache line per worker: each worker writes only its own slot (a plain load and
// store, no locked instruction, no false sharing); readers sum the slots. Zeroing (ipvsadm -Z)
// records a base instead of writing to slots that workers own.
class Stats {
 public:
  explicit Stats(unsigned workers = 1);

  void add_connection(unsigned worker) { add(worker, &Slot::conns, 1); }
  void add_inbound(unsigned worker, uint64_t bytes) {
    add(worker, &Slot::in_packets, 1);
    add(worker, &Slot::in_bytes, bytes);
  }
  void add_outbound(unsigned worker, uint64_t bytes) {
    add(worker, &Slot::out_packets, 1);
    add(worker, &Slot::out_bytes, bytes);
  }

  // Counts since creation, unaffected by zero(); the rate estimator samples these.
  StatsTotals raw_totals() const;
  // Counts since the last zero(): what ipvsadm --stats prints.
  StatsTotals totals() const;
  void zero();
  unsigned workers() const { return workers_; }

 private:
  struct alignas(64) Slot {
    std::atomic<uint64_t> conns{0}, in_packets{0}, out_packets{0}, in_bytes{0}, out_bytes{0};
  };
  // A worker with a slot of its own writes it with a plain load and store. Workers beyond the
  // count this Stats was made for (a model built before the data plane's worker count was known)
  // share one extra slot with locked adds: slower, but no count is lost.
  void add(unsigned worker, std::atomic<uint64_t> Slot::*field, uint64_t n) {
    if (worker < workers_) {
      std::atomic<uint64_t>& c = slots_[worker].*field;
      c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    } else {
      (slots_[workers_].*field).fetch_add(n, std::memory_order_relaxed);
    }
  }

  unsigned workers_;
  // The slots are placed on cache-line boundaries by hand in a plain allocation: an over-aligned
  // new goes to memalign, which skips malloc's fast paths, and a large configuration makes one
  // Stats per real server (100,000 of them took a third of its check).
  std::unique_ptr<std::byte[]> storage_;
  Slot* slots_;
  StatsTotals base_;
};

}  // namespace vsd::core

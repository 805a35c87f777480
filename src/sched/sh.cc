// Source hashing (IPVS ip_vs_sh.c): a static 256-bucket table in which each destination takes
// `weight` consecutive buckets in list order (dealt round and round until the table is full),
// keyed by the client address, plus the client port with sh-port. A client whose bucket holds
// an unavailable destination gets none, unless sh-fallback walks on through the table.
#include <array>

#include "sched/address_hash.h"
#include "sched/algorithms.h"
#include "sched/availability.h"

namespace vsd::sched {

namespace {

constexpr unsigned kTableBits = 8;  // CONFIG_IP_VS_SH_TAB_BITS
constexpr uint32_t kTableSize = uint32_t{1} << kTableBits;

class SourceHashing final : public core::Scheduler {
 public:
  explicit SourceHashing(const core::SchedulerSpec& spec)
      : fallback_(spec.flags & core::service_flag::sched1),
        hash_port_(spec.flags & core::service_flag::sched2) {
    const auto& list = spec.destinations;
    if (list.empty()) return;
    size_t position = 0;
    int32_t dealt = 0;
    for (auto& bucket : buckets_) {
      bucket = list[position];
      // A quiesced destination still takes one bucket, as in IPVS: its clients get no
      // destination (or fall back) instead of moving to a neighbour's bucket.
      if (++dealt >= list[position]->weight()) {
        position = (position + 1) % list.size();
        dealt = 0;
      }
    }
  }

  core::RealServer* schedule(const core::SchedulingInput& input) override {
    const uint32_t key =
        fold_address(input.client_address) + (hash_port_ ? input.client_port : uint32_t{0});
    const uint32_t home = bucket_of(key, 0);
    core::RealServer* d = buckets_[home];
    if (!d || can_take_new_connections(*d)) return d;
    if (!fallback_) return nullptr;
    // IPVS's walk: offsets from the home bucket, each hashed again, so the search order is
    // the same one IPVS follows (it starts at twice the home bucket, not at the next one).
    for (uint32_t step = 0; step < kTableSize; ++step) {
      d = buckets_[bucket_of(key, (home + step) % kTableSize)];
      if (can_take_new_connections(*d)) return d;
    }
    return nullptr;
  }

  std::string_view name() const override { return "sh"; }

 private:
  static uint32_t bucket_of(uint32_t key, uint32_t offset) {
    return (offset + golden_ratio_hash(key, kTableBits)) % kTableSize;
  }

  const bool fallback_;
  const bool hash_port_;
  std::array<core::RealServer*, kTableSize> buckets_{};
};

}  // namespace

std::unique_ptr<core::Scheduler> make_source_hashing(const core::SchedulerSpec& spec) {
  return std::make_unique<SourceHashing>(spec);
}

}  // namespace vsd::sched

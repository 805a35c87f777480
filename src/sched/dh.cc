// Destination hashing (IPVS ip_vs_dh.c): a static 256-bucket table dealt from the destination
// list in turn, keyed by the packet's destination address. Meant for cache farms, where the
// same origin address should always reach the same cache; when that cache cannot take the
// connection there is no fallback, the connection gets no destination.
#include <array>

#include "sched/address_hash.h"
#include "sched/algorithms.h"
#include "sched/availability.h"

namespace vsd::sched {

namespace {

constexpr unsigned kTableBits = 8;  // CONFIG_IP_VS_DH_TAB_BITS
constexpr size_t kTableSize = size_t{1} << kTableBits;

class DestinationHashing final : public core::Scheduler {
 public:
  explicit DestinationHashing(const core::SchedulerSpec& spec) {
    // Weights play no part in the deal (only in whether the chosen one may be used).
    const auto& list = spec.destinations;
    for (size_t i = 0; i < kTableSize; ++i)
      buckets_[i] = list.empty() ? nullptr : list[i % list.size()];
  }

  core::RealServer* schedule(const core::SchedulingInput& input) override {
    core::RealServer* d =
        buckets_[golden_ratio_hash(fold_address(input.destination_address), kTableBits)];
    return d && can_take_new_connections(*d) ? d : nullptr;
  }

  std::string_view name() const override { return "dh"; }

 private:
  std::array<core::RealServer*, kTableSize> buckets_{};
};

}  // namespace

std::unique_ptr<core::Scheduler> make_destination_hashing(const core::SchedulerSpec& spec) {
  return std::make_unique<DestinationHashing>(spec);
}

}  // namespace vsd::sched

// Maglev hashing (IPVS ip_vs_mh.c, after Eisenbud et al., NSDI 2016 section 3.4): each
// destination owns a permutation of the lookup table's slots (an offset and a skip from two
// hashes of its address and port) and, taking turns in list order, claims its next free slot
// until the table is full; a client's address (and port, with mh-port) hashes to a slot.
// Removing one of N destinations moves only about 1/N of the clients.
//
// The hashes are the kernel's: hsiphash under the fixed keys IPVS uses, so that a table built
// here from the same destination list and table size is slot for slot the table IPVS builds on
// 64-bit little-endian machines.
#include <algorithm>
#include <bit>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "sched/address_hash.h"
#include "sched/algorithms.h"
#include "sched/availability.h"
#include "sched/siphash13.h"

namespace vsd::sched {

namespace {

// ip_vs_mh.c generate_hash_secret(): both words of each key are the same constant.
constexpr uint64_t kOffsetKey = 2654435761ULL;
constexpr uint64_t kSkipKey = 2654446892ULL;

bool is_prime(uint32_t n) {
  if (n < 2) return false;
  for (uint32_t f = 2; uint64_t{f} * f <= n; ++f)
    if (n % f == 0) return false;
  return true;
}

uint32_t mh_hash(const IpAddress& address, uint16_t port, uint64_t key, uint32_t offset) {
  return hsiphash_word(offset + port + fold_address(address), key, key);
}

class MaglevHashing final : public core::Scheduler {
 public:
  MaglevHashing(const core::SchedulerSpec& spec, uint32_t table_size)
      : fallback_(spec.flags & core::service_flag::sched1),
        hash_port_(spec.flags & core::service_flag::sched2),
        destinations_(spec.destinations),
        table_(table_size, nullptr) {
    if (!is_prime(table_size))
      throw std::invalid_argument("mh table size " + std::to_string(table_size) +
                                  " is not a prime");
    // IPVS's last_weight: the latest non-zero weight, so that quiescing a destination (weight
    // 0) keeps its slots and mh-fallback moves only its clients. A destination that arrives
    // quiesced has none yet; inherit() supplies what the previous table knew.
    last_weights_.reserve(destinations_.size());
    for (const core::RealServer* d : destinations_) last_weights_.push_back(d->weight());
    populate();
  }

  core::RealServer* schedule(const core::SchedulingInput& input) override {
    const uint16_t port = hash_port_ ? input.client_port : 0;
    const uint32_t size = static_cast<uint32_t>(table_.size());
    const uint32_t home = mh_hash(input.client_address, port, kOffsetKey, 0) % size;
    core::RealServer* d = table_[home];
    if (!d || can_take_new_connections(*d)) return d;
    if (!fallback_) return nullptr;
    for (uint32_t step = 0; step < size; ++step) {
      const uint32_t offset = (home + step) % size;
      d = table_[mh_hash(input.client_address, port, kOffsetKey, offset) % size];
      if (can_take_new_connections(*d)) return d;
    }
    return nullptr;
  }

  void inherit(core::Scheduler& previous) override {
    auto* before = dynamic_cast<MaglevHashing*>(&previous);
    if (!before) return;
    bool changed = false;
    for (size_t i = 0; i < destinations_.size(); ++i) {
      if (last_weights_[i] != 0) continue;
      for (size_t j = 0; j < before->destinations_.size(); ++j) {
        if (before->destinations_[j] == destinations_[i] && before->last_weights_[j] != 0) {
          last_weights_[i] = before->last_weights_[j];
          changed = true;
        }
      }
    }
    if (changed) populate();
  }

  std::string_view name() const override { return "mh"; }

 private:
  struct Permutation {
    uint32_t next;  // the slot this destination tries next
    uint32_t skip;
    int32_t turns;  // slots claimed per round
  };

  // ip_vs_mh_permutate() + ip_vs_mh_populate().
  void populate() {
    std::fill(table_.begin(), table_.end(), nullptr);
    const uint32_t size = static_cast<uint32_t>(table_.size());
    // IPVS refuses a service with more destinations than slots; here it gets no destination.
    if (destinations_.size() > size) return;
    int32_t gcd = 0;
    int32_t max_weight = 0;
    for (int32_t w : last_weights_) {
      if (w > 0) gcd = gcd > 0 ? std::gcd(gcd, w) : w;
      max_weight = std::max(max_weight, w);
    }
    if (gcd < 1) return;
    // Large weights are scaled down so that the heaviest destination claims at most about
    // 2^(bits) slots per round, bits being half the table index (6 for 4093).
    const int table_bits = static_cast<int>(std::bit_width(size)) / 2;
    const int weight_bits =
        static_cast<int>(std::bit_width(static_cast<uint32_t>(max_weight / gcd)));
    const int shift = std::max(0, weight_bits - table_bits);
    std::vector<Permutation> perms;
    perms.reserve(destinations_.size());
    for (size_t i = 0; i < destinations_.size(); ++i) {
      const core::RealServer& d = *destinations_[i];
      const int32_t w = last_weights_[i];
      const int32_t scaled = (w / gcd) >> shift;
      perms.push_back(Permutation{
          mh_hash(d.address(), d.port(), kOffsetKey, 0) % size,
          mh_hash(d.address(), d.port(), kSkipKey, 0) % (size - 1) + 1,
          scaled != 0 ? scaled : (w != 0 ? 1 : 0),
      });
    }
    std::vector<bool> taken(size, false);
    uint32_t filled = 0;
    int32_t claimed_this_turn = 0;
    while (filled < size) {
      for (size_t i = 0; i < perms.size();) {
        Permutation& p = perms[i];
        if (p.turns < 1) {
          ++i;
          continue;
        }
        while (taken[p.next]) {
          p.next += p.skip;
          if (p.next >= size) p.next -= size;
        }
        taken[p.next] = true;
        table_[p.next] = destinations_[i];
        if (++filled == size) return;
        if (++claimed_this_turn >= p.turns) {
          claimed_this_turn = 0;
          ++i;
        }
      }
    }
  }

  const bool fallback_;
  const bool hash_port_;
  const std::vector<core::RealServer*> destinations_;
  std::vector<int32_t> last_weights_;
  std::vector<core::RealServer*> table_;
};

}  // namespace

std::unique_ptr<core::Scheduler> make_maglev_hashing(const core::SchedulerSpec& spec,
                                                     uint32_t table_size) {
  return std::make_unique<MaglevHashing>(spec, table_size);
}

std::unique_ptr<core::Scheduler> make_maglev_hashing(const core::SchedulerSpec& spec) {
  return make_maglev_hashing(spec, kMaglevTableSize);
}

}  // namespace vsd::sched

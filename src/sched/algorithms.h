#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "core/scheduler.h"

// One factory per algorithm, each defined in the file named after it (IPVS's ip_vs_<name>.c).
namespace vsd::sched {

std::unique_ptr<core::Scheduler> make_round_robin(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_weighted_round_robin(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_least_connection(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_weighted_least_connection(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_shortest_expected_delay(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_never_queue(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_failover(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_overflow(const core::SchedulerSpec& spec);

// Table-driven hashing: dh keys on the packet's destination address, sh and mh on the client's
// (sched1 = sh-/mh-fallback, sched2 = sh-/mh-port).
std::unique_ptr<core::Scheduler> make_destination_hashing(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_source_hashing(const core::SchedulerSpec& spec);
// mh's lookup table has a prime number of slots: IPVS's default 4093 (CONFIG_IP_VS_MH_TAB_INDEX
// 12); Maglev and Katran use 65537. Throws std::invalid_argument for a size that is not a prime.
inline constexpr uint32_t kMaglevTableSize = 4093;
std::unique_ptr<core::Scheduler> make_maglev_hashing(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_maglev_hashing(const core::SchedulerSpec& spec,
                                                     uint32_t table_size);

// lblc / lblcr: how long an unused destination address is remembered (IPVS's sysctls
// lblc_expiration / lblcr_expiration, which lblcr also uses as the time a set must stay
// unchanged before it sheds a member), and how many addresses the preallocated table holds
// (IPVS starts collecting above 16384; twice that leaves room for a burst between passes).
struct LocalityOptions {
  Duration expiration = hours(24);
  size_t capacity = 2 * 16384;
};
std::unique_ptr<core::Scheduler> make_locality_least_connection(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_locality_least_connection(const core::SchedulerSpec& spec,
                                                                const LocalityOptions& options);
std::unique_ptr<core::Scheduler> make_locality_least_connection_replicated(
    const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_locality_least_connection_replicated(
    const core::SchedulerSpec& spec, const LocalityOptions& options);

// twos draws from a SplitMix64; without an explicit seed it is seeded from the destination list
// (two_choices_seed), so a run can be replayed.
uint64_t two_choices_seed(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_power_of_two_choices(const core::SchedulerSpec& spec);
std::unique_ptr<core::Scheduler> make_power_of_two_choices(const core::SchedulerSpec& spec,
                                                           uint64_t seed);

}  // namespace vsd::sched

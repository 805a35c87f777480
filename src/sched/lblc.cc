// Locality-based least connection (IPVS ip_vs_lblc.c): remembers which real server each
// destination address (the packet's destination, as for a cache farm) went to, and keeps
// sending it there unless that server is quiesced or busy while another sits half idle; then
// picks by weighted least connection and remembers the new choice.
#include <mutex>
#include <unordered_set>

#include "common/spinlock.h"
#include "sched/algorithms.h"
#include "sched/locality_rules.h"
#include "sched/locality_table.h"

namespace vsd::sched {

namespace {

using Table = LocalityTable<core::RealServer*>;

class LocalityLeastConnection final : public core::Scheduler {
 public:
  LocalityLeastConnection(const core::SchedulerSpec& spec, const LocalityOptions& options)
      : destinations_(spec.destinations), table_(options.capacity, options.expiration) {}

  core::RealServer* schedule(const core::SchedulingInput& input) override {
    const IpAddress& key = input.destination_address;
    core::RealServer* cached = nullptr;
    {
      std::lock_guard guard(lock_);
      table_.collect(input.now, [](Table::Entry&) {});
      Table::Entry* e = table_.find(key);
      if (e && !table_.expired(*e, input.now)) {
        e->last_use = input.now;
        cached = e->payload;
      }
    }
    // As in IPVS, the remembered server is checked for weight and lblc's own overload rule,
    // not for the OVERLOAD mark of its connection thresholds.
    if (cached && cached->weight() > 0 && !busy_while_another_is_idle(*cached, destinations_))
      return cached;

    core::RealServer* chosen = least_weighted_overhead(destinations_);
    if (!chosen) return nullptr;
    std::lock_guard guard(lock_);
    remember(key, chosen, input.now);
    return chosen;
  }

  // Keeps what was learned for every server still listed.
  void inherit(core::Scheduler& previous) override {
    auto* before = dynamic_cast<LocalityLeastConnection*>(&previous);
    if (!before) return;
    const std::unordered_set<const core::RealServer*> listed(destinations_.begin(),
                                                             destinations_.end());
    std::lock_guard guard(before->lock_);
    before->table_.for_each([&](const Table::Entry& old) {
      if (!listed.contains(old.payload)) return;
      if (Table::Entry* e = table_.insert(old.address, old.last_use)) e->payload = old.payload;
    });
    table_.copy_schedule_from(before->table_);
  }

  std::string_view name() const override { return "lblc"; }

 private:
  // ip_vs_lblc_new(): a new entry, or the existing one pointed elsewhere.
  void remember(const IpAddress& key, core::RealServer* chosen, Instant now) {
    Table::Entry* e = table_.find(key);
    if (!e) e = table_.insert(key, now);
    if (!e) return;
    e->payload = chosen;
    e->last_use = now;
  }

  const std::vector<core::RealServer*> destinations_;
  SpinLock lock_;
  Table table_;
};

}  // namespace

std::unique_ptr<core::Scheduler> make_locality_least_connection(const core::SchedulerSpec& spec,
                                                                const LocalityOptions& options) {
  return std::make_unique<LocalityLeastConnection>(spec, options);
}

std::unique_ptr<core::Scheduler> make_locality_least_connection(const core::SchedulerSpec& spec) {
  return make_locality_least_connection(spec, LocalityOptions{});
}

}  // namespace vsd::sched

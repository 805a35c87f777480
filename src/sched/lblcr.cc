// Locality-based least connection with replication (IPVS ip_vs_lblcr.c): like lblc, but each
// destination address keeps a set of real servers. The least loaded of the set serves; when
// it is busy while another server sits half idle, the weighted-least-connection choice joins
// the set; a set of several that has not changed for `expiration` drops its most loaded member
// (one per connection).
#include <mutex>
#include <unordered_set>

#include "common/spinlock.h"
#include "sched/algorithms.h"
#include "sched/locality_rules.h"
#include "sched/locality_table.h"

namespace vsd::sched {

namespace {

constexpr uint32_t kNil = std::numeric_limits<uint32_t>::max();

// IPVS's struct ip_vs_dest_set: members newest first, as list_add_rcu puts them.
struct ServerSet {
  uint32_t first = kNil;
  uint32_t size = 0;
  Instant last_modified{};
};

using Table = LocalityTable<ServerSet>;

class LocalityLeastConnectionReplicated final : public core::Scheduler {
 public:
  LocalityLeastConnectionReplicated(const core::SchedulerSpec& spec, const LocalityOptions& options)
      : destinations_(spec.destinations),
        table_(options.capacity, options.expiration),
        members_(options.capacity * 2) {
    for (uint32_t i = 0; i < members_.size(); ++i)
      members_[i].next = i + 1 < members_.size() ? i + 1 : kNil;
    free_member_ = members_.empty() ? kNil : 0;
  }

  core::RealServer* schedule(const core::SchedulingInput& input) override {
    const IpAddress& key = input.destination_address;
    const Instant now = input.now;
    bool known = false;
    core::RealServer* least = nullptr;
    {
      std::lock_guard guard(lock_);
      table_.collect(now, [this](Table::Entry& e) { clear(e.payload); });
      Table::Entry* e = table_.find(key);
      if (e && !table_.expired(*e, now)) {
        known = true;
        e->last_use = now;
        ServerSet& set = e->payload;
        least = least_loaded(set);
        if (set.size > 1 && now - set.last_modified > table_.expiration()) {
          if (core::RealServer* most = most_loaded(set)) erase(set, most, now);
        }
      }
    }
    // The least loaded member serves even if the shrink above just dropped it, as in IPVS.
    if (known && least && !busy_while_another_is_idle(*least, destinations_)) return least;

    core::RealServer* chosen = least_weighted_overhead(destinations_);
    if (!chosen) return nullptr;
    std::lock_guard guard(lock_);
    remember(key, chosen, now);
    return chosen;
  }

  // Keeps the sets, without the servers no longer listed; a set left empty is dropped.
  void inherit(core::Scheduler& previous) override {
    auto* before = dynamic_cast<LocalityLeastConnectionReplicated*>(&previous);
    if (!before) return;
    const std::unordered_set<const core::RealServer*> listed(destinations_.begin(),
                                                             destinations_.end());
    std::lock_guard guard(before->lock_);
    std::vector<core::RealServer*> kept;
    before->table_.for_each([&](const Table::Entry& old) {
      kept.clear();
      for (uint32_t m = old.payload.first; m != kNil; m = before->members_[m].next)
        if (listed.contains(before->members_[m].server)) kept.push_back(before->members_[m].server);
      if (kept.empty()) return;
      Table::Entry* e = table_.insert(old.address, old.last_use);
      if (!e) return;
      // Re-adding oldest first rebuilds the same newest-first order.
      for (auto it = kept.rbegin(); it != kept.rend(); ++it) add(e->payload, *it, old.last_use);
      e->payload.last_modified = old.payload.last_modified;
    });
    table_.copy_schedule_from(before->table_);
  }

  std::string_view name() const override { return "lblcr"; }

 private:
  struct Member {
    core::RealServer* server = nullptr;
    uint32_t next = kNil;
  };

  // ip_vs_dest_set_min(): the least overhead/weight among members that are neither OVERLOAD
  // nor quiesced; the newer member wins a tie.
  core::RealServer* least_loaded(const ServerSet& set) const {
    core::RealServer* least = nullptr;
    uint64_t least_overhead = 0, least_weight = 0;
    for (uint32_t m = set.first; m != kNil; m = members_[m].next) {
      core::RealServer* d = members_[m].server;
      if (d->overloaded()) continue;
      const int32_t weight = d->weight();
      if (weight <= 0) continue;
      const uint64_t overhead = locality_overhead(*d);
      if (!least || least_overhead * uint64_t(weight) > overhead * least_weight) {
        least = d;
        least_overhead = overhead;
        least_weight = uint64_t(weight);
      }
    }
    return least;
  }

  // ip_vs_dest_set_max(): the greatest overhead/weight among members with a weight, OVERLOAD
  // or not; the newer member wins a tie.
  core::RealServer* most_loaded(const ServerSet& set) const {
    core::RealServer* most = nullptr;
    uint64_t most_overhead = 0, most_weight = 0;
    for (uint32_t m = set.first; m != kNil; m = members_[m].next) {
      core::RealServer* d = members_[m].server;
      const int32_t weight = d->weight();
      if (weight <= 0) continue;
      const uint64_t overhead = locality_overhead(*d);
      if (!most || most_overhead * uint64_t(weight) < overhead * most_weight) {
        most = d;
        most_overhead = overhead;
        most_weight = uint64_t(weight);
      }
    }
    return most;
  }

  // ip_vs_dest_set_insert(): a server not yet in the set goes first; a full member pool
  // leaves the set as it was, as IPVS's failed allocation does.
  void add(ServerSet& set, core::RealServer* server, Instant now) {
    for (uint32_t m = set.first; m != kNil; m = members_[m].next)
      if (members_[m].server == server) return;
    if (free_member_ == kNil) return;
    const uint32_t m = free_member_;
    free_member_ = members_[m].next;
    members_[m] = Member{server, set.first};
    set.first = m;
    ++set.size;
    set.last_modified = now;
  }

  // ip_vs_dest_set_erase().
  void erase(ServerSet& set, const core::RealServer* server, Instant now) {
    for (uint32_t* link = &set.first; *link != kNil; link = &members_[*link].next) {
      const uint32_t m = *link;
      if (members_[m].server != server) continue;
      *link = members_[m].next;
      members_[m].next = free_member_;
      free_member_ = m;
      --set.size;
      set.last_modified = now;
      return;
    }
  }

  void clear(ServerSet& set) {
    while (set.first != kNil) {
      const uint32_t m = set.first;
      set.first = members_[m].next;
      members_[m].next = free_member_;
      free_member_ = m;
    }
    set.size = 0;
  }

  // ip_vs_lblcr_new() and the cache update of ip_vs_lblcr_schedule().
  void remember(const IpAddress& key, core::RealServer* chosen, Instant now) {
    Table::Entry* e = table_.find(key);
    if (e && table_.expired(*e, now)) {
      clear(e->payload);
      e->last_use = now;
    }
    if (!e) e = table_.insert(key, now);
    if (!e) return;
    add(e->payload, chosen, now);
  }

  const std::vector<core::RealServer*> destinations_;
  SpinLock lock_;
  Table table_;
  std::vector<Member> members_;
  uint32_t free_member_ = kNil;
};

}  // namespace

std::unique_ptr<core::Scheduler> make_locality_least_connection_replicated(
    const core::SchedulerSpec& spec, const LocalityOptions& options) {
  return std::make_unique<LocalityLeastConnectionReplicated>(spec, options);
}

std::unique_ptr<core::Scheduler> make_locality_least_connection_replicated(
    const core::SchedulerSpec& spec) {
  return make_locality_least_connection_replicated(spec, LocalityOptions{});
}

}  // namespace vsd::sched

#include "core/snapshot.h"

namespace vsd::core {

namespace {

bool same_schedule(const ServiceEntry& a, const ServiceEntry& b) {
  if (a.config.scheduler != b.config.scheduler) return false;
  if ((a.config.flags & service_flag::sched_mask) != (b.config.flags & service_flag::sched_mask))
    return false;
  if (a.destinations.size() != b.destinations.size()) return false;
  for (size_t i = 0; i < a.destinations.size(); ++i) {
    if (a.destinations[i].server != b.destinations[i].server) return false;
    if (a.destinations[i].config.weight != b.destinations[i].config.weight) return false;
  }
  return true;
}

std::shared_ptr<const ServiceView> make_view(const std::shared_ptr<const ServiceEntry>& entry,
                                             const ServiceView* previous,
                                             const SchedulerCatalog& schedulers) {
  auto view = std::make_shared<ServiceView>();
  view->entry = entry;
  view->destinations.reserve(entry->destinations.size());
  for (const auto& d : entry->destinations) view->destinations.push_back(d.server.get());
  if (previous && same_schedule(*previous->entry, *entry)) {
    view->scheduler = previous->scheduler;
  } else {
    SchedulerSpec spec{entry->config.scheduler, entry->config.flags & service_flag::sched_mask,
                       view->destinations, &entry->runtime->load};
    view->scheduler = schedulers.create(spec);
    if (previous && previous->config().scheduler == entry->config.scheduler)
      view->scheduler->inherit(*previous->scheduler);
  }
  return view;
}

}  // namespace

std::shared_ptr<const Snapshot> Snapshot::build(const Model& model, const Snapshot* previous,
                                                const SchedulerCatalog& schedulers) {
  auto snapshot = std::make_shared<Snapshot>();
  snapshot->generation_ = model.generation();
  snapshot->services_.reserve(model.size());
  snapshot->index_.reserve(model.size());
  for (const auto& [key, entry] : model.services()) {
    std::shared_ptr<const ServiceView> before;
    if (previous) {
      auto it = previous->index_.find(key);
      if (it != previous->index_.end()) before = it->second;
    }
    // An untouched service shares its view (and so its scheduler) as it is.
    auto view =
        before && before->entry == entry ? before : make_view(entry, before.get(), schedulers);
    snapshot->index_[key] = view;
    snapshot->services_.push_back(std::move(view));
  }
  return snapshot;
}

const ServiceView* Snapshot::find(const ServiceKey& key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : it->second.get();
}

const ServiceView* Snapshot::lookup(Protocol protocol, const IpAddress& address,
                                    uint16_t port) const {
  if (const ServiceView* exact = find(ServiceKey::virtual_address(protocol, address, port)))
    return exact;
  return find(ServiceKey::virtual_address(protocol, address, 0));
}

const ServiceView* Snapshot::lookup_fwmark(uint32_t mark, AddressFamily family) const {
  return find(ServiceKey::firewall_mark(mark, family));
}

}  // namespace vsd::core

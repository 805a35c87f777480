#include "core/model.h"

#include <cerrno>
#include <string>
#include <unordered_set>

namespace vsd::core {

namespace {

Error error(int code, std::string message) {
  return Error{std::move(message), code};
}

std::string where(const ServiceKey& key) {
  return to_string(key);
}
std::string where(const ServiceKey& key, const Endpoint& dest) {
  return to_string(key) + " -> " + to_string(dest);
}

Status validate_service(const ServiceConfig& c, const SchedulerCatalog& schedulers) {
  const ServiceKey& k = c.key;
  if (!k.is_fwmark()) {
    if (k.address.family() != k.family)
      return error(EINVAL, where(k) + ": address family does not match the service family");
    if (k.port == 0 && !c.persistent())
      return error(EINVAL, where(k) + ": port 0 is allowed only for a persistent service");
    if (k.protocol != Protocol::tcp && k.protocol != Protocol::udp && k.protocol != Protocol::sctp)
      return error(EINVAL, where(k) + ": unknown protocol");
  }
  if (!schedulers.knows(c.scheduler))
    return error(ENOENT, where(k) + ": unknown scheduler '" + c.scheduler + "'");
  const unsigned max_prefix = k.family == AddressFamily::v4 ? 32 : 128;
  if (c.persistence_prefix == 0 || c.persistence_prefix > max_prefix)
    return error(EINVAL, where(k) + ": persistence netmask/prefix out of range");
  if (c.persistent() && c.persistence_timeout_s == 0)
    return error(EINVAL, where(k) + ": persistence timeout must be positive");
  return ok_status();
}

Status validate_destination(const ServiceConfig& service, const DestinationConfig& d) {
  // The location text is made only for an error: a large configuration checks 100,000 of these.
  auto at = [&] { return where(service.key, d.endpoint()); };
  if (d.weight < 0 || d.weight > kMaxWeight)
    return error(ERANGE, at() + ": weight " + std::to_string(d.weight) + " is outside 0..65535");
  if (d.upper_threshold != 0 && d.lower_threshold > d.upper_threshold)
    return error(ERANGE, at() + ": lower threshold " + std::to_string(d.lower_threshold) +
                             " is above upper threshold " + std::to_string(d.upper_threshold));
  if (d.address.is_unspecified()) return error(EINVAL, at() + ": destination address is missing");
  // Tunnels may carry one family inside the other; every other method forwards as it came.
  if (d.address.family() != service.key.family && d.method != ForwardMethod::tunnel)
    return error(EINVAL, at() + ": address family differs from the service's");
  if (!service.key.is_fwmark() && keeps_port(d.method) && d.port != service.key.port)
    return error(EINVAL, at() + ": " + std::string(to_string(d.method)) +
                             " cannot change the port: the destination port must be " +
                             std::to_string(service.key.port));
  return ok_status();
}

}  // namespace

const DestinationEntry* ServiceEntry::find(const Endpoint& destination) const {
  for (const auto& d : destinations)
    if (d.config.address == destination.address && d.config.port == destination.port) return &d;
  return nullptr;
}

// A batch in progress, as an overlay on the committed services: only the services the batch
// adds, edits or deletes are held here, so a change costs what it touches, not the size of the
// model (a configuration of 10,000 services is checked one change at a time).
struct Model::Draft {
  const ServiceMap& base;
  bool cleared = false;
  // Services that differ from `base`: a new or copied entry, or nullptr for a deleted one.
  std::unordered_map<ServiceKey, std::shared_ptr<ServiceEntry>, ServiceKeyHash> touched;
  std::unordered_set<ServiceKey, ServiceKeyHash> fresh;  // created by this batch
  std::vector<ServiceKey> added;                         // in the order they were added
  bool readded = false;  // a service of `base` deleted and added again: it moves to the end

  const ServiceEntry* find(const ServiceKey& key) const {
    if (auto t = touched.find(key); t != touched.end()) return t->second.get();
    if (cleared) return nullptr;
    auto it = base.find(key);
    return it == base.end() ? nullptr : it->second.get();
  }
  // The entry to change in place: this batch's own copy, made on first touch.
  ServiceEntry* writable(const ServiceKey& key) {
    if (auto t = touched.find(key); t != touched.end()) return t->second.get();
    if (cleared) return nullptr;
    auto it = base.find(key);
    if (it == base.end()) return nullptr;
    auto copy = std::make_shared<ServiceEntry>(*it->second);
    touched[key] = copy;
    return copy.get();
  }
  void add(const ServiceKey& key, std::shared_ptr<ServiceEntry> entry) {
    readded |= !cleared && base.count(key) > 0;
    touched[key] = std::move(entry);
    fresh.insert(key);
    added.push_back(key);
  }
  void erase(const ServiceKey& key) {
    touched[key] = nullptr;
    fresh.erase(key);
  }
  void clear() {
    cleared = true;
    touched.clear();
    fresh.clear();
    added.clear();
  }
};

Model::Model(const SchedulerCatalog& schedulers, unsigned workers)
    : schedulers_(schedulers), workers_(workers == 0 ? 1 : workers) {}

const ServiceEntry* Model::find(const ServiceKey& key) const {
  auto it = services_.find(key);
  return it == services_.end() ? nullptr : it->second.get();
}

std::vector<const ServiceEntry*> Model::services_in_order() const {
  std::vector<const ServiceEntry*> out;
  out.reserve(order_.size());
  for (const auto& key : order_) out.push_back(services_.at(key).get());
  return out;
}

Status Model::apply(const Change& change) {
  return apply(std::span<const Change>(&change, 1));
}

Status Model::apply(std::span<const Change> changes) {
  Draft draft{services_, false, {}, {}, {}, false};
  for (const Change& change : changes) {
    Status s = apply_one(draft, change);
    if (!s.ok()) return s;
  }
  // Commit. Edited values reach the live real servers only now that the whole batch holds.
  if (draft.cleared) {
    services_.clear();
    order_.clear();
  }
  bool reordered = false;
  for (auto& [key, entry] : draft.touched) {
    if (!entry) {
      reordered |= services_.erase(key) > 0;
      continue;
    }
    for (auto& d : entry->destinations) d.server->apply(d.config);
    services_[key] = std::move(entry);
  }
  // A deleted service leaves the order; a re-added one moves to the end; a new one is appended.
  if (reordered || draft.readded)
    std::erase_if(order_,
                  [&](const ServiceKey& k) { return !services_.count(k) || draft.fresh.count(k); });
  for (const ServiceKey& key : draft.added)
    if (draft.fresh.erase(key)) order_.push_back(key);
  ++generation_;
  return ok_status();
}

Status Model::apply_one(Draft& draft, const Change& change) const {
  return std::visit(
      [&](const auto& c) -> Status {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, AddService>) {
          if (draft.find(c.config.key))
            return error(EEXIST, where(c.config.key) + ": service already exists");
          if (Status s = validate_service(c.config, schedulers_); !s.ok()) return s;
          auto entry = std::make_shared<ServiceEntry>();
          entry->config = c.config;
          entry->runtime = std::make_shared<ServiceRuntime>(workers_);
          draft.add(c.config.key, std::move(entry));
        } else if constexpr (std::is_same_v<T, EditService>) {
          ServiceEntry* e = draft.writable(c.config.key);
          if (!e) return error(ESRCH, where(c.config.key) + ": no such service");
          if (Status s = validate_service(c.config, schedulers_); !s.ok()) return s;
          for (const auto& d : e->destinations)
            if (Status s = validate_destination(c.config, d.config); !s.ok()) return s;
          e->config = c.config;
        } else if constexpr (std::is_same_v<T, DeleteService>) {
          if (!draft.find(c.key)) return error(ESRCH, where(c.key) + ": no such service");
          draft.erase(c.key);
        } else if constexpr (std::is_same_v<T, AddDestination>) {
          ServiceEntry* e = draft.writable(c.service);
          if (!e) return error(ESRCH, where(c.service) + ": no such service");
          if (e->find(c.config.endpoint()))
            return error(EEXIST,
                         where(c.service, c.config.endpoint()) + ": destination already exists");
          if (Status s = validate_destination(e->config, c.config); !s.ok()) return s;
          e->destinations.push_back(
              {c.config, Ref<RealServer>::make(c.config, e->runtime, workers_)});
        } else if constexpr (std::is_same_v<T, EditDestination>) {
          ServiceEntry* e = draft.writable(c.service);
          if (!e) return error(ESRCH, where(c.service) + ": no such service");
          auto* d = const_cast<DestinationEntry*>(e->find(c.config.endpoint()));
          if (!d)
            return error(ENOENT, where(c.service, c.config.endpoint()) + ": no such destination");
          if (Status s = validate_destination(e->config, c.config); !s.ok()) return s;
          d->config = c.config;
        } else if constexpr (std::is_same_v<T, DeleteDestination>) {
          ServiceEntry* e = draft.writable(c.service);
          if (!e) return error(ESRCH, where(c.service) + ": no such service");
          const auto before = e->destinations.size();
          std::erase_if(e->destinations, [&](const DestinationEntry& d) {
            return d.config.address == c.destination.address && d.config.port == c.destination.port;
          });
          if (e->destinations.size() == before)
            return error(ENOENT, where(c.service, c.destination) + ": no such destination");
        } else if constexpr (std::is_same_v<T, ClearServices>) {
          draft.clear();
        }
        return ok_status();
      },
      change);
}

}  // namespace vsd::core

namespace vsd::core {

void sample_rates(const Model& model) {
  for (const auto& [key, entry] : model.services()) {
    entry->runtime->estimator.sample(entry->runtime->stats.raw_totals());
    for (const auto& d : entry->destinations)
      d.server->estimator.sample(d.server->stats().raw_totals());
  }
}

void zero_counters(const ServiceEntry& service) {
  // As ip_vs_zero_stats: the shown counters restart from zero and so does the estimator.
  service.runtime->stats.zero();
  service.runtime->estimator.reset(service.runtime->stats.raw_totals());
  for (const auto& d : service.destinations) {
    d.server->stats().zero();
    d.server->estimator.reset(d.server->stats().raw_totals());
  }
}

}  // namespace vsd::core

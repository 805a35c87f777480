#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include "common/ref_counted.h"
#include "common/result.h"
#include "core/rate_estimator.h"
#include "core/real_server.h"
#include "core/scheduler.h"
#include "core/service.h"
#include "core/service_runtime.h"
#include "core/stats.h"

namespace vsd::core {

struct DestinationEntry {
  DestinationConfig config;
  Ref<RealServer> server;
};

// One service as the model holds it. Immutable once committed: an edit makes a new entry that
// shares the runtime and the unchanged real servers, so that "unchanged" is pointer equality.
struct ServiceEntry {
  ServiceConfig config;
  std::vector<DestinationEntry> destinations;
  std::shared_ptr<ServiceRuntime> runtime;

  const DestinationEntry* find(const Endpoint& destination) const;
};

// One change per ipvsadm command.
struct AddService {
  ServiceConfig config;
};
struct EditService {
  ServiceConfig config;
};
struct DeleteService {
  ServiceKey key;
};
struct AddDestination {
  ServiceKey service;
  DestinationConfig config;
};
struct EditDestination {
  ServiceKey service;
  DestinationConfig config;
};
struct DeleteDestination {
  ServiceKey service;
  Endpoint destination;
};
struct ClearServices {};
using Change = std::variant<AddService, EditService, DeleteService, AddDestination, EditDestination,
                            DeleteDestination, ClearServices>;

// The control loop's configuration model: virtual services and their destinations. Every change
// is validated; a batch is applied whole or not at all, and a rejected change leaves the model as
// it was. Errors carry the errno the kernel would return (EEXIST, ESRCH, ENOENT, EINVAL, ERANGE)
// in Error::code so that vsadm can print ipvsadm's words for them.
class Model {
 public:
  using ServiceMap =
      std::unordered_map<ServiceKey, std::shared_ptr<const ServiceEntry>, ServiceKeyHash>;

  Model(const SchedulerCatalog& schedulers, unsigned workers = 1);

  Status apply(const Change& change);
  Status apply(std::span<const Change> changes);

  const ServiceEntry* find(const ServiceKey& key) const;
  const ServiceMap& services() const { return services_; }
  // In the order they were added (the order ipvsadm --nosort shows).
  std::vector<const ServiceEntry*> services_in_order() const;
  size_t size() const { return services_.size(); }
  // Bumped by every committed change.
  uint64_t generation() const { return generation_; }
  unsigned workers() const { return workers_; }

 private:
  struct Draft;
  Status apply_one(Draft& draft, const Change& change) const;

  const SchedulerCatalog& schedulers_;
  unsigned workers_;
  ServiceMap services_;
  std::vector<ServiceKey> order_;
  uint64_t generation_ = 0;
};

}  // namespace vsd::core

namespace vsd::core {

// The rate estimator's 2-second tick for every service and destination of the model
// (IPVS's estimation_timer). Control loop only.
void sample_rates(const Model& model);
// ipvsadm -Z: zero the shown counters (and restart the rates) of one service or of all.
void zero_counters(const ServiceEntry& service);

}  // namespace vsd::core

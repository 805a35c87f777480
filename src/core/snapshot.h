#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

#include "core/model.h"
#include "core/scheduler.h"

namespace vsd::core {

// A service as the workers see it: configuration, destinations in list order, and the scheduler
// built for exactly that list.
struct ServiceView {
  std::shared_ptr<const ServiceEntry> entry;
  std::vector<RealServer*> destinations;
  std::shared_ptr<Scheduler> scheduler;

  const ServiceConfig& config() const { return entry->config; }
  ServiceRuntime& runtime() const { return *entry->runtime; }
};

// An immutable picture of every service, published with one atomic pointer swap. Workers read it
// without locks and pick up a new one between batches.
class Snapshot {
 public:
  // Builds from the model. Views of services the model did not touch since `previous` are
  // reused as they are; a changed service gets a new scheduler that inherits its predecessor's
  // learned state (rr position, lblc table, ...).
  static std::shared_ptr<const Snapshot> build(const Model& model, const Snapshot* previous,
                                               const SchedulerCatalog& schedulers);

  const ServiceView* find(const ServiceKey& key) const;
  // The service a packet to address:port belongs to: the exact service, else a port-0
  // (all-ports, persistent) service on that address. fwmark services are found by lookup_fwmark.
  const ServiceView* lookup(Protocol protocol, const IpAddress& address, uint16_t port) const;
  const ServiceView* lookup_fwmark(uint32_t mark, AddressFamily family) const;

  std::span<const std::shared_ptr<const ServiceView>> services() const { return services_; }
  uint64_t generation() const { return generation_; }

 private:
  std::vector<std::shared_ptr<const ServiceView>> services_;
  std::unordered_map<ServiceKey, std::shared_ptr<const ServiceView>, ServiceKeyHash> index_;
  uint64_t generation_ = 0;
};

class SnapshotPublisher {
 public:
  void publish(std::shared_ptr<const Snapshot> snapshot) {
    current_.store(std::move(snapshot), std::memory_order_release);
  }
  std::shared_ptr<const Snapshot> current() const {
    return current_.load(std::memory_order_acquire);
  }

 private:
  std::atomic<std::shared_ptr<const Snapshot>> current_;
};

}  // namespace vsd::core

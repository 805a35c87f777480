#pragma once

// Test support: a service's destination list built from real core objects (no mocks), with
// helpers to put a given load on each destination the way connections would.
#include <memory>
#include <string>
#include <vector>

#include "core/real_server.h"
#include "core/scheduler.h"

namespace vsd::testing {

class DestinationPool {
 public:
  core::RealServer* add(const std::string& address, int64_t weight = 1, uint16_t port = 80,
                        uint32_t upper = 0, uint32_t lower = 0) {
    core::DestinationConfig c;
    c.address = *IpAddress::parse(address);
    c.port = port;
    c.weight = weight;
    c.upper_threshold = upper;
    c.lower_threshold = lower;
    servers_.push_back(Ref<core::RealServer>::make(c, service_, 1));
    return servers_.back().get();
  }
  core::RealServer* operator[](size_t i) const { return servers_[i].get(); }
  size_t size() const { return servers_.size(); }

  std::vector<core::RealServer*> list() const {
    std::vector<core::RealServer*> out;
    for (const auto& s : servers_) out.push_back(s.get());
    return out;
  }
  core::SchedulerSpec spec(std::string_view name, uint32_t flags = 0) const {
    return core::SchedulerSpec{name, flags, list(), &service_->load};
  }
  core::ServiceLoad& service_load() const { return service_->load; }

  // Binds or unbinds connections until the destination has exactly this many.
  static void set_load(core::RealServer* d, uint32_t active, uint32_t inactive) {
    while (d->active_connections() < active) d->bind_connection(true);
    while (d->active_connections() > active) d->unbind_connection(true);
    while (d->inactive_connections() < inactive) d->bind_connection(false);
    while (d->inactive_connections() > inactive) d->unbind_connection(false);
  }
  static void set_weight(core::RealServer* d, int64_t weight) {
    core::DestinationConfig c;
    c.address = d->address();
    c.port = d->port();
    c.weight = weight;
    c.method = d->method();
    c.upper_threshold = d->upper_threshold();
    c.lower_threshold = d->lower_threshold();
    d->apply(c);
  }

 private:
  std::shared_ptr<core::ServiceRuntime> service_ = std::make_shared<core::ServiceRuntime>(1);
  std::vector<Ref<core::RealServer>> servers_;
};

inline core::SchedulingInput input_from(const std::string& client, uint16_t client_port = 40000,
                                        const std::string& vip = "192.168.2.11",
                                        uint16_t vport = 80) {
  core::SchedulingInput in;
  in.client_address = *IpAddress::parse(client);
  in.client_port = client_port;
  in.destination_address = *IpAddress::parse(vip);
  in.destination_port = vport;
  return in;
}

}  // namespace vsd::testing

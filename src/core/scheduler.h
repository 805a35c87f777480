#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/address.h"
#include "common/time.h"
#include "core/real_server.h"
#include "core/service.h"
#include "core/service_load.h"

namespace vsd::core {

// What a scheduler may look at about a new connection (IPVS hands it the first packet).
struct SchedulingInput {
  Protocol protocol = Protocol::tcp;
  IpAddress client_address;
  uint16_t client_port = 0;
  IpAddress destination_address;  // the packet's destination: the VIP (lblc/dh key on it)
  uint16_t destination_port = 0;
  Instant now{};
};

// The narrow interface every algorithm implements (IPVS's struct ip_vs_scheduler). Interface
// here in core so that the snapshot can hold a scheduler; the algorithms live in the sched module.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  // The chosen destination, or nullptr when none can take the connection. Safe to call from
  // several worker threads at once.
  virtual RealServer* schedule(const SchedulingInput& input) = 0;
  // Take over what the scheduler this one replaces had learned (rr position, lblc table, ...)
  // when the service's destinations change. Called once, before this scheduler is published.
  virtual void inherit(Scheduler& /*previous*/) {}
  virtual std::string_view name() const = 0;
};

// What a scheduler is built from. `destinations` is the service's list in ipvsadm order; they
// stay alive (the snapshot holds them) for the scheduler's whole life.
struct SchedulerSpec {
  std::string_view name;
  uint32_t flags = 0;  // service_flag::sched1..3
  std::vector<RealServer*> destinations;
  // The service's load board (a load-indexing scheduler attaches to it); outlives the scheduler.
  ServiceLoad* service_load = nullptr;
};

class SchedulerCatalog {
 public:
  virtual ~SchedulerCatalog() = default;
  virtual bool knows(std::string_view name) const = 0;
  // nullptr if the name is unknown.
  virtual std::unique_ptr<Scheduler> create(const SchedulerSpec& spec) const = 0;
};

}  // namespace vsd::core

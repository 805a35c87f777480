#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "common/ref_counted.h"
#include "core/rate_estimator.h"
#include "core/service.h"
#include "core/service_runtime.h"
#include "core/stats.h"

namespace vsd::core {

// A destination as the data plane sees it: one per (service, real server), alive while the model
// lists it or any connection is bound to it (IPVS keeps removed dests in a trash list for the
// same reason). Identity (address, port) is fixed; weight, method and thresholds change in place
// when a user edits the destination.
class RealServer : public RefCounted<RealServer> {
 public:
  RealServer(const DestinationConfig& config, std::shared_ptr<ServiceRuntime> service,
             unsigned workers);

  const IpAddress& address() const { return address_; }
  uint16_t port() const { return port_; }
  Endpoint endpoint() const { return Endpoint{address_, port_}; }

  int32_t weight() const { return weight_.load(std::memory_order_relaxed); }
  ForwardMethod method() const { return method_.load(std::memory_order_relaxed); }
  uint32_t upper_threshold() const { return upper_threshold_.load(std::memory_order_relaxed); }
  uint32_t lower_threshold() const { return lower_threshold_.load(std::memory_order_relaxed); }
  bool overloaded() const { return overloaded_.load(std::memory_order_relaxed); }

  uint32_t active_connections() const { return active_.load(std::memory_order_relaxed); }
  uint32_t inactive_connections() const { return inactive_.load(std::memory_order_relaxed); }
  uint32_t persistent_connections() const { return persistent_.load(std::memory_order_relaxed); }
  // IPVS's ip_vs_dest_totalconns(): what the thresholds are compared with.
  uint32_t total_connections() const { return active_connections() + inactive_connections(); }

  // Connection accounting, as ip_vs_bind_dest / ip_vs_unbind_dest / the protocols' state
  // transitions do it. A new connection is bound inactive; TCP makes it active when its state
  // becomes one of the active states. Templates count in persistent_connections only.
  void bind_connection(bool active);
  void unbind_connection(bool active);
  void set_connection_activity(bool now_active);
  void bind_template();
  void unbind_template();

  // Control loop: take the edited values (identity fields of `config` are ignored).
  void apply(const DestinationConfig& config);

  Stats& stats() { return stats_; }
  const Stats& stats() const { return stats_; }
  // The service this destination belongs to (its counters take the same packets).
  ServiceRuntime& service() { return *service_; }
  RateEstimator estimator;  // touched by the control loop only

  // Where the attached load-indexing scheduler keeps this destination; read and written only
  // under service().load.lock().
  uint32_t scheduler_slot = 0;

 private:
  friend class RefCounted<RealServer>;
  ~RealServer() = default;

  void check_overload_after_bind();
  void check_overload_after_unbind();

  const IpAddress address_;
  const uint16_t port_;
  std::atomic<int32_t> weight_;
  std::atomic<ForwardMethod> method_;
  std::atomic<uint32_t> upper_threshold_;
  std::atomic<uint32_t> lower_threshold_;
  std::atomic<bool> overloaded_{false};
  std::atomic<uint32_t> active_{0};
  std::atomic<uint32_t> inactive_{0};
  std::atomic<uint32_t> persistent_{0};
  Stats stats_;
  std::shared_ptr<ServiceRuntime> service_;
};

}  // namespace vsd::core

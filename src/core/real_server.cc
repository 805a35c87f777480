#include "core/real_server.h"

namespace vsd::core {

RealServer::RealServer(const DestinationConfig& config, std::shared_ptr<ServiceRuntime> service,
                       unsigned workers)
    : address_(config.address),
      port_(config.port),
      weight_(static_cast<int32_t>(config.weight)),
      method_(config.method),
      upper_threshold_(config.upper_threshold),
      lower_threshold_(config.lower_threshold),
      stats_(workers),
      service_(std::move(service)) {}

void RealServer::apply(const DestinationConfig& config) {
  weight_.store(static_cast<int32_t>(config.weight), std::memory_order_relaxed);
  method_.store(config.method, std::memory_order_relaxed);
  upper_threshold_.store(config.upper_threshold, std::memory_order_relaxed);
  lower_threshold_.store(config.lower_threshold, std::memory_order_relaxed);
  // IPVS __ip_vs_update_dest: a new upper threshold of 0 (or above the load) lifts the mark.
  if (config.upper_threshold == 0 || total_connections() < config.upper_threshold)
    overloaded_.store(false, std::memory_order_relaxed);
  service_->load.changed(*this);
}

void RealServer::check_overload_after_bind() {
  const uint32_t upper = upper_threshold();
  if (upper != 0 && total_connections() >= upper)
    overloaded_.store(true, std::memory_order_relaxed);
}

void RealServer::check_overload_after_unbind() {
  // ip_vs_unbind_dest: clear below the lower threshold, or below 3/4 of the upper one when no
  // lower threshold is set; with no thresholds at all, any mark left over is cleared.
  const uint32_t lower = lower_threshold();
  const uint32_t upper = upper_threshold();
  const uint64_t total = total_connections();
  if (lower != 0) {
    if (total < lower) overloaded_.store(false, std::memory_order_relaxed);
  } else if (upper != 0) {
    if (total * 4 < uint64_t{upper} * 3) overloaded_.store(false, std::memory_order_relaxed);
  } else {
    overloaded_.store(false, std::memory_order_relaxed);
  }
}

void RealServer::bind_connection(bool active) {
  (active ? active_ : inactive_).fetch_add(1, std::memory_order_relaxed);
  check_overload_after_bind();
  service_->load.changed(*this);
}

void RealServer::unbind_connection(bool active) {
  (active ? active_ : inactive_).fetch_sub(1, std::memory_order_relaxed);
  check_overload_after_unbind();
  service_->load.changed(*this);
}

void RealServer::set_connection_activity(bool now_active) {
  if (now_active) {
    active_.fetch_add(1, std::memory_order_relaxed);
    inactive_.fetch_sub(1, std::memory_order_relaxed);
  } else {
    inactive_.fetch_add(1, std::memory_order_relaxed);
    active_.fetch_sub(1, std::memory_order_relaxed);
  }
  service_->load.changed(*this);
}

void RealServer::bind_template() {
  const bool was_overloaded = overloaded();
  persistent_.fetch_add(1, std::memory_order_relaxed);
  check_overload_after_bind();
  // The counts a load index keeps did not change, but availability may have.
  if (overloaded() != was_overloaded) service_->load.changed(*this);
}

void RealServer::unbind_template() {
  const bool was_overloaded = overloaded();
  persistent_.fetch_sub(1, std::memory_order_relaxed);
  check_overload_after_unbind();
  if (overloaded() != was_overloaded) service_->load.changed(*this);
}

}  // namespace vsd::core

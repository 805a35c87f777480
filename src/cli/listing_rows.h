#pragma once

#include <cstdint>
#include <vector>

#include "core/rate_estimator.h"
#include "core/service.h"
#include "core/stats.h"

namespace vsd::cli {

// Tunnel encapsulation of a Tunnel destination: core's, under the names the listings use.
using TunnelType = core::TunnelType;
using TunnelChecksum = core::TunnelChecksum;
using TunnelSettings = core::TunnelSettings;

// One real server as the listings need it: its configuration and what the daemon counted.
struct DestinationRow {
  core::DestinationConfig config;
  TunnelSettings tunnel;  // used only when config.method is Tunnel
  uint32_t active_connections = 0;
  uint32_t inactive_connections = 0;
  uint32_t persistent_connections = 0;
  core::StatsTotals stats;
  core::Rates rates;
};

// One virtual service with its real servers, in the daemon's order (the order --nosort shows).
struct ServiceRow {
  core::ServiceConfig config;
  core::StatsTotals stats;
  core::Rates rates;
  std::vector<DestinationRow> destinations;
};

}  // namespace vsd::cli

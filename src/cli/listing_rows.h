#pragma once

#include <cstdint>
#include <vector>

#include "core/rate_estimator.h"
#include "core/service.h"
#include "core/stats.h"

namespace vsd::cli {

// Tunnel encapsulation of a Tunnel destination (ipvsadm --tun-type, linux/ip_vs.h
// IP_VS_CONN_F_TUNNEL_TYPE_* and IP_VS_TUNNEL_ENCAP_FLAG_*, same numbering).
enum class TunnelType : uint8_t { ipip = 0, gue = 1, gre = 2 };
enum class TunnelChecksum : uint8_t { none = 0, checksum = 1, remote_checksum = 2 };

struct TunnelSettings {
  TunnelType type = TunnelType::ipip;
  uint16_t port = 0;  // GUE only
  TunnelChecksum checksum = TunnelChecksum::none;
};

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

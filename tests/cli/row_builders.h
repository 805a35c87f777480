#pragma once

// Test support: listing rows built from text, the way an operator would type them.
#include <string>

#include "cli/listing_rows.h"

namespace vsd::testing {

inline cli::ServiceRow service(core::Protocol protocol, const std::string& endpoint,
                               std::string scheduler = "wlc") {
  cli::ServiceRow row;
  const Endpoint e = *parse_endpoint(endpoint);
  row.config.key = core::ServiceKey::virtual_address(protocol, e.address, e.port);
  row.config.persistence_prefix = e.address.is_v4() ? 32 : 128;
  row.config.scheduler = std::move(scheduler);
  return row;
}

inline cli::ServiceRow fwmark_service(uint32_t mark, std::string scheduler = "wlc",
                                      AddressFamily family = AddressFamily::v4) {
  cli::ServiceRow row;
  row.config.key = core::ServiceKey::firewall_mark(mark, family);
  row.config.persistence_prefix = family == AddressFamily::v4 ? 32 : 128;
  row.config.scheduler = std::move(scheduler);
  return row;
}

inline void make_persistent(cli::ServiceRow& row, uint32_t timeout_s, unsigned prefix) {
  row.config.flags |= core::service_flag::persistent;
  row.config.persistence_timeout_s = timeout_s;
  row.config.persistence_prefix = prefix;
}

inline cli::DestinationRow& destination(cli::ServiceRow& row, const std::string& endpoint,
                                        core::ForwardMethod method = core::ForwardMethod::route,
                                        int64_t weight = 1, uint32_t active = 0,
                                        uint32_t inactive = 0) {
  cli::DestinationRow d;
  const Endpoint e = *parse_endpoint(endpoint);
  d.config.address = e.address;
  d.config.port = e.port;
  d.config.method = method;
  d.config.weight = weight;
  d.active_connections = active;
  d.inactive_connections = inactive;
  row.destinations.push_back(d);
  return row.destinations.back();
}

}  // namespace vsd::testing

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/protocol.h"
#include "common/result.h"
#include "core/rate_estimator.h"
#include "core/service.h"
#include "core/stats.h"

namespace vsd::api {

// The operations, named as ipvsadm's commands are.
namespace op {
inline constexpr const char* add_service = "add-service";            // -A
inline constexpr const char* edit_service = "edit-service";          // -E
inline constexpr const char* delete_service = "delete-service";      // -D
inline constexpr const char* clear = "clear";                        // -C
inline constexpr const char* add_server = "add-server";              // -a
inline constexpr const char* edit_server = "edit-server";            // -e
inline constexpr const char* delete_server = "delete-server";        // -d
inline constexpr const char* zero = "zero";                          // -Z [service]
inline constexpr const char* list = "list";                          // -L / -S
inline constexpr const char* list_connections = "list-connections";  // -L -c
inline constexpr const char* get_timeouts = "get-timeouts";          // -L --timeout
inline constexpr const char* set_timeouts = "set-timeouts";          // --set
inline constexpr const char* start_daemon = "start-daemon";          // --start-daemon
inline constexpr const char* stop_daemon = "stop-daemon";            // --stop-daemon
inline constexpr const char* get_daemons = "get-daemons";            // -L --daemon
inline constexpr const char* info = "info";                          // version, sizes
}  // namespace op

// What the daemon reports for one destination and one service.
struct DestinationStatus {
  core::DestinationConfig config;
  uint32_t active_connections = 0;
  uint32_t inactive_connections = 0;
  uint32_t persistent_connections = 0;
  core::StatsTotals stats;
  core::Rates rates;
};

struct ServiceStatus {
  core::ServiceConfig config;
  core::StatsTotals stats;
  core::Rates rates;
  std::vector<DestinationStatus> destinations;
};

struct ConnectionStatus {
  uint8_t protocol = 6;
  uint32_t expires_s = 0;
  std::string state;
  Endpoint client;
  Endpoint virtual_service;
  Endpoint destination;
};

struct TimeoutSettings {
  uint32_t tcp = 900;
  uint32_t tcp_fin = 120;
  uint32_t udp = 300;
};

Json to_json(const core::ServiceKey& key);
Json to_json(const core::ServiceConfig& config);
Json to_json(const core::DestinationConfig& config);
Json to_json(const core::StatsTotals& stats);
Json to_json(const core::Rates& rates);
Json to_json(const ServiceStatus& status);
Json to_json(const ConnectionStatus& connection);
Json to_json(const TimeoutSettings& timeouts);

// Readers: a missing or ill-typed field is an EINVAL error naming the field.
Result<core::ServiceKey> service_key_from_json(const Json& j);
Result<core::ServiceConfig> service_config_from_json(const Json& j);
Result<core::DestinationConfig> destination_config_from_json(const Json& j);
Result<ServiceStatus> service_status_from_json(const Json& j);
Result<ConnectionStatus> connection_from_json(const Json& j);
Result<TimeoutSettings> timeouts_from_json(const Json& j);

}  // namespace vsd::api

#include "cli/daemon_json.h"

#include <cerrno>

namespace vsd::cli {

namespace {

template <class T>
T unsigned_field(const api::Json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_number_unsigned()) return T{0};
  return static_cast<T>(j[name].get<uint64_t>());
}

}  // namespace

api::Json destination_json(const core::DestinationConfig& destination,
                           const TunnelSettings& tunnel) {
  core::DestinationConfig with_tunnel = destination;
  with_tunnel.tunnel = tunnel;
  return api::to_json(with_tunnel);
}

api::Json start_daemon_json(const SyncDaemonRequest& r) {
  api::Json j = {{"state", r.state == SyncState::master ? "master" : "backup"},
                 {"mcast_interface", r.mcast_interface},
                 {"syncid", r.syncid},
                 {"sync_maxlen", r.sync_maxlen},
                 {"mcast_port", r.mcast_port},
                 {"mcast_ttl", r.mcast_ttl}};
  if (r.mcast_group) j["mcast_group"] = r.mcast_group->to_string();
  return j;
}

api::Json stop_daemon_json(const SyncDaemonRequest& r) {
  return {{"state", r.state == SyncState::master ? "master" : "backup"}};
}

Result<std::vector<ServiceRow>> service_rows_from_json(const api::Json& list_result) {
  std::vector<ServiceRow> rows;
  if (!list_result.is_object() || !list_result.contains("services") ||
      !list_result["services"].is_array())
    return Error{"malformed list result: no services", EINVAL};
  for (const api::Json& sj : list_result["services"]) {
    auto status = api::service_status_from_json(sj);
    if (!status.ok()) return status.error();
    ServiceRow row{status->config, status->stats, status->rates, {}};
    for (const api::DestinationStatus& d : status->destinations) {
      row.destinations.push_back(DestinationRow{d.config, d.config.tunnel, d.active_connections,
                                                d.inactive_connections, d.persistent_connections,
                                                d.stats, d.rates});
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<ConnectionRow>> connection_rows_from_json(const api::Json& result) {
  std::vector<ConnectionRow> rows;
  if (!result.is_object() || !result.contains("connections") || !result["connections"].is_array())
    return Error{"malformed list-connections result", EINVAL};
  for (const api::Json& cj : result["connections"]) {
    auto c = api::connection_from_json(cj);
    if (!c.ok()) return c.error();
    ConnectionRow row{c->protocol,        c->expires_s,   c->state, c->client,
                      c->virtual_service, c->destination, "",       ""};
    row.pe_name = cj.value("pe_name", std::string());
    row.pe_data = cj.value("pe_data", std::string());
    rows.push_back(std::move(row));
  }
  return rows;
}

SyncDaemons sync_daemons_from_json(const api::Json& result) {
  SyncDaemons daemons;
  for (auto [name, target] :
       {std::pair{"master", &daemons.master}, std::pair{"backup", &daemons.backup}}) {
    if (!result.is_object() || !result.contains(name) || !result[name].is_object()) continue;
    const api::Json& j = result[name];
    SyncDaemonStatus s;
    s.mcast_interface = j.value("mcast_interface", std::string());
    s.syncid = unsigned_field<unsigned>(j, "syncid");
    s.sync_maxlen = unsigned_field<unsigned>(j, "sync_maxlen");
    if (j.contains("mcast_group") && j["mcast_group"].is_string())
      s.mcast_group = IpAddress::parse(j["mcast_group"].get<std::string>());
    s.mcast_port = unsigned_field<uint16_t>(j, "mcast_port");
    s.mcast_ttl = unsigned_field<uint8_t>(j, "mcast_ttl");
    *target = s;
  }
  return daemons;
}

}  // namespace vsd::cli

#include "api/schema.h"

#include <cerrno>
#include <limits>

namespace vsd::api {

namespace {

Error bad(const std::string& field, const std::string& why) {
  return Error{"bad field '" + field + "': " + why, EINVAL};
}

template <class T>
Result<T> field(const Json& j, const char* name) {
  if (!j.is_object() || !j.contains(name)) return bad(name, "missing");
  const Json& v = j[name];
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) return bad(name, "not a string");
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) return bad(name, "not a boolean");
  } else {
    // JSON has one kind of number: accept any integer that fits T (nlohmann keeps 80 built in
    // C++ as signed and 80 parsed from text as unsigned; both are the same number).
    if (!v.is_number_integer()) return bad(name, "not an integer");
    if (v.is_number_unsigned()) {
      if (v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<T>::max()))
        return bad(name, v.dump() + " is out of range");
    } else {
      const auto x = v.get<int64_t>();
      if (x < static_cast<int64_t>(std::numeric_limits<T>::min()) ||
          (x > 0 &&
           static_cast<uint64_t>(x) > static_cast<uint64_t>(std::numeric_limits<T>::max())))
        return bad(name, v.dump() + " is out of range");
    }
  }
  return v.get<T>();
}

template <class T>
T field_or(const Json& j, const char* name, T fallback) {
  auto r = field<T>(j, name);
  return r.ok() ? *r : fallback;
}

Result<IpAddress> address_field(const Json& j, const char* name) {
  auto text = field<std::string>(j, name);
  if (!text.ok()) return text.error();
  auto a = IpAddress::parse(*text);
  if (!a) return bad(name, "'" + *text + "' is not an IP address");
  return *a;
}

Result<Endpoint> endpoint_field(const Json& j, const char* name) {
  auto text = field<std::string>(j, name);
  if (!text.ok()) return text.error();
  auto e = parse_endpoint(*text);
  if (!e) return bad(name, "'" + *text + "' is not address:port");
  return *e;
}

std::string method_name(core::ForwardMethod m) {
  switch (m) {
    case core::ForwardMethod::masq:
      return "masq";
    case core::ForwardMethod::local:
      return "local";
    case core::ForwardMethod::tunnel:
      return "tunnel";
    case core::ForwardMethod::route:
      return "route";
    case core::ForwardMethod::fullnat:
      return "fullnat";
  }
  return "route";
}

Result<core::Protocol> protocol_from(const std::string& name) {
  if (name == "tcp") return core::Protocol::tcp;
  if (name == "udp") return core::Protocol::udp;
  if (name == "sctp") return core::Protocol::sctp;
  return bad("protocol", "'" + name + "' is not tcp, udp or sctp");
}

std::string protocol_name(core::Protocol p) {
  return p == core::Protocol::udp ? "udp" : p == core::Protocol::sctp ? "sctp" : "tcp";
}

}  // namespace

Json to_json(const core::ServiceKey& key) {
  if (key.is_fwmark())
    return {{"fwmark", key.fwmark}, {"family", key.family == AddressFamily::v6 ? "inet6" : "inet"}};
  return {{"protocol", protocol_name(key.protocol)},
          {"address", key.address.to_string()},
          {"port", key.port}};
}

Result<core::ServiceKey> service_key_from_json(const Json& j) {
  if (j.is_object() && j.contains("fwmark")) {
    auto mark = field<uint32_t>(j, "fwmark");
    if (!mark.ok()) return mark.error();
    if (*mark == 0) return bad("fwmark", "must be positive");
    const std::string family = field_or<std::string>(j, "family", "inet");
    if (family != "inet" && family != "inet6") return bad("family", "not inet or inet6");
    return core::ServiceKey::firewall_mark(
        *mark, family == "inet6" ? AddressFamily::v6 : AddressFamily::v4);
  }
  auto protocol_text = field<std::string>(j, "protocol");
  if (!protocol_text.ok()) return protocol_text.error();
  auto protocol = protocol_from(*protocol_text);
  if (!protocol.ok()) return protocol.error();
  auto address = address_field(j, "address");
  if (!address.ok()) return address.error();
  auto port = field<uint16_t>(j, "port");
  if (!port.ok()) return port.error();
  return core::ServiceKey::virtual_address(*protocol, *address, *port);
}

Json to_json(const core::ServiceConfig& c) {
  Json j = {{"service", to_json(c.key)},
            {"scheduler", c.scheduler},
            {"flags", c.flags},
            {"persistence_timeout", c.persistence_timeout_s},
            {"persistence_prefix", c.persistence_prefix}};
  if (!c.persistence_engine.empty()) j["persistence_engine"] = c.persistence_engine;
  return j;
}

Result<core::ServiceConfig> service_config_from_json(const Json& j) {
  core::ServiceConfig c;
  if (!j.is_object() || !j.contains("service")) return bad("service", "missing");
  auto key = service_key_from_json(j["service"]);
  if (!key.ok()) return key.error();
  c.key = *key;
  c.persistence_prefix = c.key.family == AddressFamily::v6 ? 128 : 32;
  c.scheduler = field_or<std::string>(j, "scheduler", c.scheduler);
  c.flags = field_or<uint32_t>(j, "flags", 0);
  c.persistence_timeout_s = field_or<uint32_t>(j, "persistence_timeout", c.persistence_timeout_s);
  c.persistence_prefix = field_or<unsigned>(j, "persistence_prefix", c.persistence_prefix);
  c.persistence_engine = field_or<std::string>(j, "persistence_engine", "");
  return c;
}

namespace {

const char* tunnel_type_word(core::TunnelType type) {
  return type == core::TunnelType::gue ? "gue" : type == core::TunnelType::gre ? "gre" : "ipip";
}

const char* tunnel_checksum_word(core::TunnelChecksum c) {
  return c == core::TunnelChecksum::checksum          ? "checksum"
         : c == core::TunnelChecksum::remote_checksum ? "remote"
                                                      : "none";
}

Result<core::TunnelSettings> tunnel_from_json(const Json& j) {
  core::TunnelSettings t;
  const std::string type = field_or<std::string>(j, "type", "ipip");
  if (type == "gue")
    t.type = core::TunnelType::gue;
  else if (type == "gre")
    t.type = core::TunnelType::gre;
  else if (type != "ipip")
    return bad("tunnel.type", "'" + type + "' is not ipip, gue or gre");
  t.port = field_or<uint16_t>(j, "port", 0);
  const std::string checksum = field_or<std::string>(j, "checksum", "none");
  if (checksum == "checksum")
    t.checksum = core::TunnelChecksum::checksum;
  else if (checksum == "remote")
    t.checksum = core::TunnelChecksum::remote_checksum;
  else if (checksum != "none")
    return bad("tunnel.checksum", "'" + checksum + "' is not none, checksum or remote");
  return t;
}

}  // namespace

Json to_json(const core::DestinationConfig& d) {
  Json j = {{"address", d.address.to_string()},     {"port", d.port},
            {"method", method_name(d.method)},      {"weight", d.weight},
            {"upper_threshold", d.upper_threshold}, {"lower_threshold", d.lower_threshold}};
  if (d.method == core::ForwardMethod::tunnel)
    j["tunnel"] = {{"type", tunnel_type_word(d.tunnel.type)},
                   {"port", d.tunnel.port},
                   {"checksum", tunnel_checksum_word(d.tunnel.checksum)}};
  return j;
}

Result<core::DestinationConfig> destination_config_from_json(const Json& j) {
  core::DestinationConfig d;
  auto address = address_field(j, "address");
  if (!address.ok()) return address.error();
  d.address = *address;
  auto port = field<uint16_t>(j, "port");
  if (!port.ok()) return port.error();
  d.port = *port;
  const std::string method = field_or<std::string>(j, "method", "route");
  auto m = core::forward_method_from_name(method);
  if (!m) return bad("method", "'" + method + "' is not masq, route, tunnel, local or fullnat");
  d.method = *m;
  d.weight = field_or<int64_t>(j, "weight", 1);
  d.upper_threshold = field_or<uint32_t>(j, "upper_threshold", 0);
  d.lower_threshold = field_or<uint32_t>(j, "lower_threshold", 0);
  if (j.contains("tunnel")) {
    auto tunnel = tunnel_from_json(j["tunnel"]);
    if (!tunnel.ok()) return tunnel.error();
    d.tunnel = *tunnel;
  }
  return d;
}

Json to_json(const core::StatsTotals& s) {
  return {{"conns", s.conns},
          {"in_packets", s.in_packets},
          {"out_packets", s.out_packets},
          {"in_bytes", s.in_bytes},
          {"out_bytes", s.out_bytes}};
}

Json to_json(const core::Rates& r) {
  return {{"cps", r.cps},
          {"in_pps", r.in_pps},
          {"out_pps", r.out_pps},
          {"in_bps", r.in_bps},
          {"out_bps", r.out_bps}};
}

namespace {
core::StatsTotals stats_from(const Json& j) {
  return {field_or<uint64_t>(j, "conns", 0), field_or<uint64_t>(j, "in_packets", 0),
          field_or<uint64_t>(j, "out_packets", 0), field_or<uint64_t>(j, "in_bytes", 0),
          field_or<uint64_t>(j, "out_bytes", 0)};
}
core::Rates rates_from(const Json& j) {
  return {field_or<uint64_t>(j, "cps", 0), field_or<uint64_t>(j, "in_pps", 0),
          field_or<uint64_t>(j, "out_pps", 0), field_or<uint64_t>(j, "in_bps", 0),
          field_or<uint64_t>(j, "out_bps", 0)};
}
}  // namespace

Json to_json(const ServiceStatus& s) {
  Json j = to_json(s.config);
  j["stats"] = to_json(s.stats);
  j["rates"] = to_json(s.rates);
  Json destinations = Json::array();
  for (const auto& d : s.destinations) {
    Json dj = to_json(d.config);
    dj["active_connections"] = d.active_connections;
    dj["inactive_connections"] = d.inactive_connections;
    dj["persistent_connections"] = d.persistent_connections;
    dj["stats"] = to_json(d.stats);
    dj["rates"] = to_json(d.rates);
    destinations.push_back(std::move(dj));
  }
  j["destinations"] = std::move(destinations);
  return j;
}

Result<ServiceStatus> service_status_from_json(const Json& j) {
  ServiceStatus s;
  auto config = service_config_from_json(j);
  if (!config.ok()) return config.error();
  s.config = *config;
  s.stats = stats_from(j.value("stats", Json::object()));
  s.rates = rates_from(j.value("rates", Json::object()));
  for (const Json& dj : j.value("destinations", Json::array())) {
    DestinationStatus d;
    auto dc = destination_config_from_json(dj);
    if (!dc.ok()) return dc.error();
    d.config = *dc;
    d.active_connections = field_or<uint32_t>(dj, "active_connections", 0);
    d.inactive_connections = field_or<uint32_t>(dj, "inactive_connections", 0);
    d.persistent_connections = field_or<uint32_t>(dj, "persistent_connections", 0);
    d.stats = stats_from(dj.value("stats", Json::object()));
    d.rates = rates_from(dj.value("rates", Json::object()));
    s.destinations.push_back(std::move(d));
  }
  return s;
}

Json to_json(const ConnectionStatus& c) {
  return {{"protocol", c.protocol},
          {"expires", c.expires_s},
          {"state", c.state},
          {"client", to_string(c.client)},
          {"virtual", to_string(c.virtual_service)},
          {"destination", to_string(c.destination)}};
}

Result<ConnectionStatus> connection_from_json(const Json& j) {
  ConnectionStatus c;
  c.protocol = field_or<uint8_t>(j, "protocol", 6);
  c.expires_s = field_or<uint32_t>(j, "expires", 0);
  c.state = field_or<std::string>(j, "state", "");
  for (auto [name, target] :
       {std::pair{"client", &c.client}, std::pair{"virtual", &c.virtual_service},
        std::pair{"destination", &c.destination}}) {
    auto e = endpoint_field(j, name);
    if (!e.ok()) return e.error();
    *target = *e;
  }
  return c;
}

Json to_json(const TimeoutSettings& t) {
  return {{"tcp", t.tcp}, {"tcp_fin", t.tcp_fin}, {"udp", t.udp}};
}

Result<TimeoutSettings> timeouts_from_json(const Json& j) {
  TimeoutSettings t;
  t.tcp = field_or<uint32_t>(j, "tcp", 0);
  t.tcp_fin = field_or<uint32_t>(j, "tcp_fin", 0);
  t.udp = field_or<uint32_t>(j, "udp", 0);
  return t;
}

}  // namespace vsd::api

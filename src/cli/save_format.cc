#include "cli/save_format.h"

#include "cli/append_printf.h"
#include "cli/listing_order.h"
#include "cli/service_text.h"

namespace vsd::cli {

namespace {

std::string_view protocol_switch(core::Protocol protocol) {
  switch (protocol) {
    case core::Protocol::tcp:
      return "-t";
    case core::Protocol::udp:
      return "-u";
    case core::Protocol::sctp:
      return "--sctp-service";
  }
  return "--xxx-service";
}

// "-t 192.168.2.11:80", "-f 1", "-f 1 -6": the service as -A and -a take it.
std::string service_switch(const core::ServiceConfig& service, const NameStyle& names) {
  const core::ServiceKey& key = service.key;
  std::string out;
  if (key.is_fwmark()) {
    append_printf(out, "-f %u", key.fwmark);
    if (key.family == AddressFamily::v6) out += " -6";
    return out;
  }
  out = protocol_switch(key.protocol);
  out += ' ';
  out += format_endpoint(key.address, key.port, static_cast<uint8_t>(key.protocol), names);
  return out;
}

void append_service_rule(std::string& out, const std::string& service_name,
                         const core::ServiceConfig& service) {
  out += "-A " + service_name + " -s " + service.scheduler;
  if (service.persistent()) {
    append_printf(out, " -p %u", service.persistence_timeout_s);
    if (auto mask = persistence_mask_text(service)) out += " -M " + *mask;
  }
  // Unlike the listing, -S writes the persistence engine whether or not the service is
  // persistent.
  if (!service.persistence_engine.empty()) out += " --pe " + service.persistence_engine;
  if (service.flags & core::service_flag::one_packet) out += " -o";
  if (has_scheduler_flags(service)) out += " -b " + scheduler_flags_text(service);
  out += '\n';
}

void append_destination_rule(std::string& out, const std::string& service_name,
                             const core::ServiceConfig& service, const DestinationRow& row,
                             const NameStyle& names) {
  const core::DestinationConfig& d = row.config;
  const std::string name =
      format_endpoint(d.address, d.port, static_cast<uint8_t>(service.key.protocol), names);
  out += "-a " + service_name + " -r " + name + " ";
  out += forward_switch(d.method);
  append_printf(out, " -w %lld", static_cast<long long>(d.weight));
  if (d.method == core::ForwardMethod::tunnel) {
    // print_tunnel_rule: the type always, then the GUE port, then the checksum option for the
    // types that have one.
    const TunnelSettings& t = row.tunnel;
    out += " --tun-type ";
    out += tunnel_type_name(t.type);
    if (t.type == TunnelType::gue) append_printf(out, " --tun-port %u", unsigned{t.port});
    if (t.type != TunnelType::ipip) {
      out += ' ';
      out += tunnel_checksum_option(t.checksum);
    }
  }
  out += '\n';
}

}  // namespace

std::string format_save(std::span<const ServiceRow> services, const NameStyle& names) {
  std::string out;
  for (const ServiceRow* row : ipvsadm_service_order(services)) {
    const std::string name = service_switch(row->config, names);
    append_service_rule(out, name, row->config);
    for (const DestinationRow* d : ipvsadm_destination_order(row->destinations))
      append_destination_rule(out, name, row->config, *d, names);
  }
  return out;
}

}  // namespace vsd::cli

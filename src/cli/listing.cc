#include "cli/listing.h"

#include "cli/append_printf.h"
#include "cli/listing_order.h"
#include "cli/number_format.h"
#include "cli/service_text.h"

namespace vsd::cli {

namespace {

// ipvsadm cuts IPv4 names to fit its columns (svc_name[33], dname[28]); IPv6 ones overflow.
constexpr size_t kServiceColumn = 33;
constexpr size_t kDestinationColumn = 28;

uint8_t ip_protocol(const core::ServiceConfig& service) {
  return static_cast<uint8_t>(service.key.protocol);
}

void append_title(std::string& out, ListingFormat format) {
  switch (format) {
    case ListingFormat::stats:
      append_printf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
                    "Prot LocalAddress:Port", "Conns", "InPkts", "OutPkts", "InBytes", "OutBytes");
      return;
    case ListingFormat::rate:
      append_printf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n",
                    "Prot LocalAddress:Port", "CPS", "InPPS", "OutPPS", "InBPS", "OutBPS");
      return;
    case ListingFormat::thresholds:
      append_printf(out, "%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n",
                    "Prot LocalAddress:Port", "Uthreshold", "Lthreshold", "ActiveConn",
                    "InActConn");
      return;
    case ListingFormat::persistent_conn:
      append_printf(out, "%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n",
                    "Prot LocalAddress:Port", "Weight", "PersistConn", "ActiveConn", "InActConn");
      return;
    case ListingFormat::tun_info:
      out +=
          "Prot LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n";
      return;
    case ListingFormat::plain:
      out +=
          "Prot LocalAddress:Port Scheduler Flags\n"
          "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
      return;
  }
}

std::string service_label(const core::ServiceConfig& service, const NameStyle& names) {
  const core::ServiceKey& key = service.key;
  std::string label;
  if (key.is_fwmark()) {
    append_printf(label, "FWM  %u", key.fwmark);
    if (key.family == AddressFamily::v6) label += " IPv6";
    return label;
  }
  const std::string virtual_name =
      format_endpoint(key.address, key.port, ip_protocol(service), names);
  append_printf(label, "%-4s %s", std::string(core::to_string(key.protocol)).c_str(),
                virtual_name.c_str());
  if (key.family != AddressFamily::v6 && label.size() > kServiceColumn)
    label.resize(kServiceColumn);
  return label;
}

void append_numbers(std::string& out, std::initializer_list<uint64_t> values, bool exact) {
  for (uint64_t v : values) out += format_large_number(v, exact);
}

void append_service_line(std::string& out, const ServiceRow& row, const ListingOptions& options) {
  const core::ServiceConfig& service = row.config;
  const std::string label = service_label(service, options.names);
  if (options.format == ListingFormat::stats) {
    append_printf(out, "%-33s", label.c_str());
    const core::StatsTotals& s = row.stats;
    append_numbers(out, {s.conns, s.in_packets, s.out_packets, s.in_bytes, s.out_bytes},
                   options.exact);
  } else if (options.format == ListingFormat::rate) {
    append_printf(out, "%-33s", label.c_str());
    const core::Rates& r = row.rates;
    append_numbers(out, {r.cps, r.in_pps, r.out_pps, r.in_bps, r.out_bps}, options.exact);
  } else {
    append_printf(out, "%s %s", label.c_str(), service.scheduler.c_str());
    if (has_scheduler_flags(service)) out += " (" + scheduler_flags_text(service) + ")";
    if (service.persistent()) {
      append_printf(out, " persistent %u", service.persistence_timeout_s);
      if (auto mask = persistence_mask_text(service)) out += " mask " + *mask;
      if (!service.persistence_engine.empty()) out += " pe " + service.persistence_engine;
    }
    if (service.flags & core::service_flag::one_packet) out += " ops";
  }
  out += '\n';
}

void append_destination_line(std::string& out, const core::ServiceConfig& service,
                             const DestinationRow& row, const ListingOptions& options) {
  const core::DestinationConfig& d = row.config;
  std::string name = format_endpoint(d.address, d.port, ip_protocol(service), options.names);
  if (d.address.is_v4() && name.size() > kDestinationColumn) name.resize(kDestinationColumn);
  const char* dname = name.c_str();
  const std::string forward(forward_name(d.method));
  const auto weight = static_cast<long long>(d.weight);
  switch (options.format) {
    case ListingFormat::stats: {
      append_printf(out, "  -> %-28s", dname);
      const core::StatsTotals& s = row.stats;
      append_numbers(out, {s.conns, s.in_packets, s.out_packets, s.in_bytes, s.out_bytes},
                     options.exact);
      out += '\n';
      return;
    }
    case ListingFormat::rate: {
      // ipvsadm prints the first three rates of a destination unscaled (%8llu), the byte rates
      // through print_largenum.
      const core::Rates& r = row.rates;
      append_printf(
          out, "  -> %-28s %8llu %8llu %8llu", dname, static_cast<unsigned long long>(r.cps),
          static_cast<unsigned long long>(r.in_pps), static_cast<unsigned long long>(r.out_pps));
      append_numbers(out, {r.in_bps, r.out_bps}, options.exact);
      out += '\n';
      return;
    }
    case ListingFormat::thresholds:
      append_printf(out, "  -> %-28s %-10u %-10u %-10u %-10u\n", dname, d.upper_threshold,
                    d.lower_threshold, row.active_connections, row.inactive_connections);
      return;
    case ListingFormat::persistent_conn:
      append_printf(out, "  -> %-28s %-9lld %-11u %-10u %-10u\n", dname, weight,
                    row.persistent_connections, row.active_connections, row.inactive_connections);
      return;
    case ListingFormat::tun_info: {
      const std::string info = tunnel_info_text(row).value_or("n/a");
      append_printf(out, "  -> %-28s %-7s %-13s %-6lld %-10u %-10u\n", dname, forward.c_str(),
                    info.c_str(), weight, row.active_connections, row.inactive_connections);
      return;
    }
    case ListingFormat::plain:
      append_printf(out, "  -> %-28s %-7s %-6lld %-10u %-10u\n", dname, forward.c_str(), weight,
                    row.active_connections, row.inactive_connections);
      return;
  }
}

void append_service(std::string& out, const ServiceRow& row, const ListingOptions& options) {
  append_service_line(out, row, options);
  if (options.sort) {
    for (const DestinationRow* d : ipvsadm_destination_order(row.destinations))
      append_destination_line(out, row.config, *d, options);
  } else {
    for (const DestinationRow& d : row.destinations)
      append_destination_line(out, row.config, d, options);
  }
}

}  // namespace

std::string format_listing(std::span<const ServiceRow> services, const ListingOptions& options,
                           const IpvsInfo& info) {
  std::string out;
  append_printf(out, "IP Virtual Server version %u.%u.%u (size=%u)\n", info.major, info.minor,
                info.patch, info.connection_table_size);
  append_title(out, options.format);
  if (options.sort) {
    for (const ServiceRow* s : ipvsadm_service_order(services)) append_service(out, *s, options);
  } else {
    for (const ServiceRow& s : services) append_service(out, s, options);
  }
  return out;
}

std::string format_service_listing(const ServiceRow& service, const ListingOptions& options) {
  std::string out;
  append_title(out, options.format);
  append_service(out, service, options);
  return out;
}

}  // namespace vsd::cli

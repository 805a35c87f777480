#include "cli/connection_listing.h"

#include <netinet/in.h>

#include "cli/append_printf.h"

namespace vsd::cli {

std::string connection_protocol_name(uint8_t protocol) {
  switch (protocol) {
    case IPPROTO_IP:
      return "IP";
    case IPPROTO_UDP:
      return "UDP";
    case IPPROTO_TCP:
      return "TCP";
    case IPPROTO_SCTP:
      return "SCTP";
    case IPPROTO_ICMP:
      return "ICMP";
    case IPPROTO_IPIP:
      return "IPIP";
    case IPPROTO_GRE:
      return "GRE";
    case IPPROTO_ICMPV6:
      return "ICMPv6";
    default:
      return "IP_" + std::to_string(protocol);
  }
}

std::string format_expire(uint32_t seconds) {
  std::string out;
  append_printf(out, "%02u:%02u", seconds / 60, seconds % 60);
  return out;
}

std::string format_connections(std::span<const ConnectionRow> connections,
                               const ConnectionListingOptions& options) {
  std::string out = "IPVS connection entries\n";
  if (options.persistent_conn)
    append_printf(out, "pro expire %-11s %-18s %-18s %-18s %-16s %s\n", "state", "source",
                  "virtual", "destination", "pe name", "pe_data");
  else
    append_printf(out, "pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual",
                  "destination");

  for (const ConnectionRow& c : connections) {
    const std::string protocol = connection_protocol_name(c.protocol);
    const std::string expire = format_expire(c.expires_s);
    const std::string client =
        format_endpoint(c.client.address, c.client.port, c.protocol, options.names);
    const std::string virtual_name = format_endpoint(
        c.virtual_service.address, c.virtual_service.port, c.protocol, options.names);
    const std::string destination =
        format_endpoint(c.destination.address, c.destination.port, c.protocol, options.names);
    // The entry has the two extra columns only when the kernel line carries pe data; the
    // destination column is then 16 wide and pe name 18, the other way round from the titles,
    // as in ipvsadm.
    if (options.persistent_conn && !c.pe_name.empty())
      append_printf(out, "%-3s %-6s %-11s %-18s %-18s %-16s %-18s %s\n", protocol.c_str(),
                    expire.c_str(), c.state.c_str(), client.c_str(), virtual_name.c_str(),
                    destination.c_str(), c.pe_name.c_str(), c.pe_data.c_str());
    else
      append_printf(out, "%-3s %-6s %-11s %-18s %-18s %s\n", protocol.c_str(), expire.c_str(),
                    c.state.c_str(), client.c_str(), virtual_name.c_str(), destination.c_str());
  }
  return out;
}

}  // namespace vsd::cli

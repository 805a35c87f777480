#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "cli/endpoint_format.h"
#include "common/address.h"

namespace vsd::cli {

// One entry of the connection table (a line of /proc/net/ip_vs_conn), including persistence
// templates.
struct ConnectionRow {
  uint8_t protocol = 6;    // IP protocol number (templates of fwmark services carry 0, "IP")
  uint32_t expires_s = 0;  // seconds until the entry expires
  std::string state;       // the kernel's state name: ESTABLISHED, SYN_RECV, UDP, NONE, ...
  Endpoint client;
  Endpoint virtual_service;
  Endpoint destination;
  // Persistence-engine data (--pe sip): both set or both empty.
  std::string pe_name;
  std::string pe_data;
};

struct ConnectionListingOptions {
  NameStyle names;               // numeric = -n
  bool persistent_conn = false;  // --persistent-conn adds the pe name / pe_data columns
};

// ipvsadm -L -c (list_conn/print_conn): a banner, the titles, one line per entry in the given
// order (ipvsadm does not sort connections; --sort and --nosort change nothing here).
std::string format_connections(std::span<const ConnectionRow> connections,
                               const ConnectionListingOptions& options);

// The kernel's protocol names for the connection table (ip_vs_proto_name): TCP UDP SCTP ICMP
// ICMPv6 IPIP GRE, IP for 0, IP_<n> otherwise.
std::string connection_protocol_name(uint8_t protocol);

// The expire column: minutes and seconds, "%02d:%02d" (15:00, 120:00, 00:07).
std::string format_expire(uint32_t seconds);

}  // namespace vsd::cli

#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "api/schema.h"
#include "cli/host_lookup.h"
#include "cli/listing.h"
#include "cli/listing_rows.h"
#include "cli/option_rules.h"
#include "common/address.h"
#include "core/service.h"

namespace vsd::cli {

enum class SyncState { master, backup };

// --start-daemon / --stop-daemon and their daemon options. Zero and empty mean "not given",
// left to the daemon's defaults, as ipvsadm leaves them to the kernel's.
struct SyncDaemonRequest {
  SyncState state = SyncState::master;
  std::string mcast_interface;
  unsigned syncid = 0;
  unsigned sync_maxlen = 0;
  std::optional<IpAddress> mcast_group;
  uint16_t mcast_port = 0;
  uint8_t mcast_ttl = 0;
};

// One ipvsadm command line, checked and with ipvsadm's defaults filled in.
struct Command {
  CommandKind kind = CommandKind::list;
  OptionSet options;
  // -t/-u/--sctp-service/-f [-6] with -s -p -M --pe -o -b. Its family is the service's.
  core::ServiceConfig service;
  // -r with -g/-i/-m/--fullnat -w -x -y. Its address family may differ (tunnels only).
  core::DestinationConfig destination;
  TunnelSettings tunnel;  // --tun-type --tun-port --tun-nocsum/--tun-csum/--tun-remcsum
  api::TimeoutSettings timeouts{0, 0, 0};  // --set tcp tcpfin udp
  SyncDaemonRequest daemon;
  ListingOptions listing;  // -n --exact --nosort and the column set

  bool has(Opt o) const { return options.has(o); }
};

// What ipvsadm does instead of running a command: print, then either exit (help, version, and
// every check of its own) or return -1 from its command processing (popt's errors after the
// command), which matters under -R, where the next line still runs.
struct Halt {
  std::string out;
  std::string err;
  int status = 0;  // the process exit status: 255 where ipvsadm returns or exits with -1
  bool ends_program = true;
};

using Parsed = std::variant<Command, Halt>;

// ipvsadm's parse_options() and the checks of process_options(), as one pure function of the
// words after argv[0]. `program` (argv[0]) appears in the help texts; host and service names
// are looked up through `lookup`.
Parsed parse_arguments(const std::string& program, std::span<const std::string> words,
                       const HostLookup& lookup);

}  // namespace vsd::cli

#include "cli/arguments.h"

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "cli/endpoint_argument.h"
#include "cli/ipvsadm_options.h"
#include "cli/option_scanner.h"
#include "cli/option_values.h"
#include "cli/usage_text.h"

namespace vsd::cli {

namespace {

using namespace ipvsadm_option;  // NOLINT: the tags read like ipvsadm's own option names

constexpr long kMaxTimeout = 86400L * 31;  // ipvsadm's MAX_TIMEOUT: 31 days
constexpr uint32_t kDefaultPersistence = 300;
constexpr size_t kSchedulerNameMax = 15;  // IP_VS_SCHEDNAME_MAXLEN - 1
constexpr size_t kPeNameMax = 16;         // IP_VS_PENAME_MAXLEN
constexpr size_t kInterfaceNameMax = 15;  // IP_VS_IFNAME_MAXLEN - 1

// A check failed: ipvsadm's fail(2, ...).
Halt fail(const std::string& message) {
  return Halt{"", message + "\n", 2, true};
}

// The service as ipvsadm's ipvs_service_t holds it while the options are read: the netmask is a
// dotted IPv4 mask or an IPv6 prefix length depending on the family known at that moment.
struct ServiceDraft {
  std::optional<AddressFamily> family;
  uint8_t protocol = 0;
  IpAddress address;
  uint16_t port = 0;
  uint32_t fwmark = 0;
  uint32_t netmask = 0xffffffff;
  uint32_t flags = 0;
  uint32_t timeout = 0;
  std::string scheduler;
  std::string persistence_engine;
};

struct DestinationDraft {
  std::optional<AddressFamily> family;
  IpAddress address;
  uint16_t port = 0;
  core::ForwardMethod method = core::ForwardMethod::route;
  long weight = 1;
  long upper = 0;
  long lower = 0;
};

core::Protocol protocol_of(uint8_t ip_protocol) {
  if (ip_protocol == 17) return core::Protocol::udp;
  if (ip_protocol == 132) return core::Protocol::sctp;
  return core::Protocol::tcp;
}

std::optional<CommandKind> command_of(int tag) {
  switch (tag) {
    case kAddService:
      return CommandKind::add_service;
    case kEditService:
      return CommandKind::edit_service;
    case kDeleteService:
      return CommandKind::delete_service;
    case kClear:
      return CommandKind::flush;
    case kList:
      return CommandKind::list;
    case kZero:
      return CommandKind::zero;
    case kAddServer:
      return CommandKind::add_server;
    case kEditServer:
      return CommandKind::edit_server;
    case kDeleteServer:
      return CommandKind::delete_server;
    case kSet:
      return CommandKind::set_timeouts;
    case kRestore:
      return CommandKind::restore;
    case kSave:
      return CommandKind::save;
    case kStartDaemon:
      return CommandKind::start_daemon;
    case kStopDaemon:
      return CommandKind::stop_daemon;
    default:
      return std::nullopt;
  }
}

ListingFormat listing_format(const OptionSet& o) {
  if (o.has(Opt::stats)) return ListingFormat::stats;
  if (o.has(Opt::rate)) return ListingFormat::rate;
  if (o.has(Opt::thresholds)) return ListingFormat::thresholds;
  if (o.has(Opt::persistent_conn)) return ListingFormat::persistent_conn;
  if (o.has(Opt::tun_info)) return ListingFormat::tun_info;
  return ListingFormat::plain;
}

// Reads the options after the command; returns a Halt when ipvsadm would stop.
class OptionReader {
 public:
  OptionReader(Command& command, const HostLookup& lookup) : c_(command), lookup_(lookup) {}

  std::optional<Halt> read(const OptionScanner::Item& item) {
    const std::string arg = item.argument.value_or("");
    switch (item.option->tag) {
      case kTcpService:
      case kUdpService:
      case kSctpService: {
        if (auto h = set(Opt::service)) return h;
        svc_.protocol = item.option->tag == kTcpService   ? 6
                        : item.option->tag == kUdpService ? 17
                                                          : 132;
        auto e = parse_endpoint_argument(arg, svc_.protocol, lookup_);
        if (!e) return fail("illegal virtual server address[:port] specified");
        svc_.address = e->address;
        svc_.family = e->address.family();
        if (e->address.is_v6()) svc_.netmask = 128;
        if (e->port) svc_.port = *e->port;
        return std::nullopt;
      }
      case kFwmarkService: {
        if (auto h = set(Opt::service)) return h;
        svc_.family = AddressFamily::v4;
        svc_.protocol = 6;
        errno = 0;
        char* end = nullptr;
        const long mark = std::strtol(arg.c_str(), &end, 10);
        if (*end != '\0' || end == arg.c_str() || errno == ERANGE || mark <= 0 ||
            mark > long{UINT_MAX})
          return fail("invalid fwmark value `" + arg + "' specified");
        svc_.fwmark = static_cast<uint32_t>(mark);
        return std::nullopt;
      }
      case kScheduler:
        if (auto h = set(Opt::scheduler)) return h;
        svc_.scheduler = arg.substr(0, kSchedulerNameMax);
        return std::nullopt;
      case kPersistent: {
        if (auto h = set(Opt::persistent)) return h;
        svc_.flags |= core::service_flag::persistent;
        if (!item.argument) {
          svc_.timeout = kDefaultPersistence;
          return std::nullopt;
        }
        auto t = parse_number(arg, 1, kMaxTimeout);
        if (!t) return fail("invalid timeout value `" + arg + "' specified");
        svc_.timeout = static_cast<uint32_t>(*t);
        return std::nullopt;
      }
      case kNetmask:
        if (auto h = set(Opt::netmask)) return h;
        if (svc_.family != AddressFamily::v6) {
          std::optional<uint32_t> mask = parse_inet_aton(arg);
          if (!mask)
            if (auto named = lookup_.ipv4_address(arg)) mask = named->v4_host_order();
          if (!mask) return fail("illegal virtual server persistent mask specified");
          svc_.netmask = *mask;
        } else {
          const long prefix = std::strtol(arg.c_str(), nullptr, 10);  // atoi()
          if (prefix < 1 || prefix > 128) return fail("illegal ipv6 netmask specified");
          svc_.netmask = static_cast<uint32_t>(prefix);
        }
        return std::nullopt;
      case kRealServer: {
        if (auto h = set(Opt::server)) return h;
        auto e = parse_endpoint_argument(arg, svc_.protocol, lookup_);
        if (!e) return fail("illegal real server address[:port] specified");
        dest_.address = e->address;
        dest_.family = e->address.family();
        // Without a port the server takes the service's (as far as it is known yet).
        dest_.port = e->port ? *e->port : svc_.port;
        return std::nullopt;
      }
      case kIpip:
      case kGatewaying:
      case kMasquerading:
      case kFullNat:
        if (auto h = set(Opt::forward)) return h;
        dest_.method = item.option->tag == kIpip         ? core::ForwardMethod::tunnel
                       : item.option->tag == kGatewaying ? core::ForwardMethod::route
                       : item.option->tag == kFullNat    ? core::ForwardMethod::fullnat
                                                         : core::ForwardMethod::masq;
        return std::nullopt;
      case kWeight:
        return number(Opt::weight, arg, 0, 65535, dest_.weight, "illegal weight specified");
      case kUpperThreshold:
        return number(Opt::u_threshold, arg, 0, INT_MAX, dest_.upper,
                      "illegal u_threshold specified");
      case kLowerThreshold:
        return number(Opt::l_threshold, arg, 0, INT_MAX, dest_.lower,
                      "illegal l_threshold specified");
      case kConnection:
        return set(Opt::connection);
      case kNumeric:
        return set(Opt::numeric);
      case kMcastInterface:
        if (auto h = set(Opt::mcast_interface)) return h;
        c_.daemon.mcast_interface = arg.substr(0, kInterfaceNameMax);
        return std::nullopt;
      case kSyncId: {
        long id = 0;
        if (auto h = number(Opt::syncid, arg, 0, 255, id, "illegal syncid specified")) return h;
        c_.daemon.syncid = static_cast<unsigned>(id);
        return std::nullopt;
      }
      case kTimeout:
        return set(Opt::timeout);
      case kDaemon:
        return set(Opt::daemon);
      case kStats:
        return set(Opt::stats);
      case kRate:
        return set(Opt::rate);
      case kThresholds:
        return set(Opt::thresholds);
      case kPersistentConn:
        return set(Opt::persistent_conn);
      case kNoSort:
        return set(Opt::nosort);
      case kSort:
        return std::nullopt;  // sorting is the default; ipvsadm keeps --sort as a no-op
      case kExact:
        return set(Opt::exact);
      case kIpv6:
        if (!svc_.fwmark) return fail("-6 used before -f\n");
        svc_.family = AddressFamily::v6;
        svc_.netmask = 128;
        return std::nullopt;
      case kOnePacket:
        if (auto h = set(Opt::ops)) return h;
        svc_.flags |= core::service_flag::one_packet;
        return std::nullopt;
      case kPersistenceEngine:
        if (auto h = set(Opt::pe)) return h;
        svc_.persistence_engine = arg.substr(0, kPeNameMax);
        return std::nullopt;
      case kSchedFlags:
        if (auto h = set(Opt::sched_flags)) return h;
        sched_flags_ = arg;
        return std::nullopt;
      case kMcastGroup: {
        if (auto h = set(Opt::mcast_group)) return h;
        c_.daemon.mcast_group = parse_mcast_group(arg);
        if (!c_.daemon.mcast_group)
          return fail(std::string("invalid ") +
                      (arg.find(':') != std::string::npos ? "IPv6" : "IPv4") + " mcast-group `" +
                      arg + "'");
        return std::nullopt;
      }
      case kMcastPort: {
        long port = 0;
        if (auto h = number(Opt::mcast_port, arg, 1, 65535, port, "illegal mcast-port specified"))
          return h;
        c_.daemon.mcast_port = static_cast<uint16_t>(port);
        return std::nullopt;
      }
      case kMcastTtl: {
        long ttl = 0;
        if (auto h = number(Opt::mcast_ttl, arg, 1, 255, ttl, "illegal mcast-ttl specified"))
          return h;
        c_.daemon.mcast_ttl = static_cast<uint8_t>(ttl);
        return std::nullopt;
      }
      case kSyncMaxlen: {
        long maxlen = 0;
        // A sync message must fit in one UDP datagram after the IP and UDP headers.
        if (auto h = number(Opt::sync_maxlen, arg, 1, 65535 - 20 - 8, maxlen,
                            "illegal sync-maxlen specified"))
          return h;
        c_.daemon.sync_maxlen = static_cast<unsigned>(maxlen);
        return std::nullopt;
      }
      case kTunInfo:
        return set(Opt::tun_info);
      case kTunType:
        if (auto h = set(Opt::tun_type)) return h;
        if (arg == "ipip")
          c_.tunnel.type = TunnelType::ipip;
        else if (arg == "gue")
          c_.tunnel.type = TunnelType::gue;
        else if (arg == "gre")
          c_.tunnel.type = TunnelType::gre;
        else
          return fail("illegal tunnel type specified");
        return std::nullopt;
      case kTunPort: {
        long port = 0;
        if (auto h = number(Opt::tun_port, arg, 1, 65535, port, "illegal tunnel port specified"))
          return h;
        c_.tunnel.port = static_cast<uint16_t>(port);
        return std::nullopt;
      }
      case kTunNoCsum:
        return set(Opt::tun_nocsum);
      case kTunCsum:
        if (auto h = set(Opt::tun_csum)) return h;
        tunnel_flags_ |= 1;
        return std::nullopt;
      case kTunRemCsum:
        if (auto h = set(Opt::tun_remcsum)) return h;
        tunnel_flags_ |= 2;
        return std::nullopt;
      default:
        return fail("invalid option `" + item.word + "'");
    }
  }

  // After the last option: --set's values, leftovers, scheduler flags (parse_options' tail).
  std::optional<Halt> finish(const std::vector<std::string>& leftovers) {
    size_t used = 0;
    if (c_.kind == CommandKind::set_timeouts) {
      if (leftovers.size() < 3) return fail("--set option requires 3 timeout values");
      std::array<uint32_t*, 3> targets = {&c_.timeouts.tcp, &c_.timeouts.tcp_fin, &c_.timeouts.udp};
      for (size_t i = 0; i < 3; ++i) {
        auto t = parse_number(leftovers[i], 0, kMaxTimeout);
        if (!t) return fail("invalid timeout value `" + leftovers[i] + "' specified");
        *targets[i] = static_cast<uint32_t>(*t);
      }
      used = 3;
    }
    if (leftovers.size() > used) return fail("unexpected argument " + leftovers[used]);
    if (!sched_flags_.empty()) {
      std::string error;
      auto flags = parse_sched_flags(svc_.scheduler, sched_flags_, error);
      if (!flags) return fail(error);
      svc_.flags = (svc_.flags & ~core::service_flag::sched_mask) | *flags;
    }
    return std::nullopt;
  }

  // process_options' checks after generic_opt_check, and the finished command.
  std::optional<Halt> complete() {
    const bool editing_service =
        c_.kind == CommandKind::add_service || c_.kind == CommandKind::edit_service;
    if (editing_service) {
      if (!svc_.fwmark && !svc_.port && !(svc_.flags & core::service_flag::persistent))
        return fail("Zero port specified for non-persistent service");
      if ((svc_.flags & core::service_flag::one_packet) && !svc_.fwmark && svc_.protocol != 17)
        return fail("One-Packet Scheduling is only for UDP virtual services");
      if (svc_.scheduler.empty()) svc_.scheduler = "wlc";
    }
    if (c_.kind == CommandKind::start_daemon && c_.daemon.mcast_interface.empty())
      c_.daemon.mcast_interface = "eth0";
    if (c_.kind == CommandKind::add_server || c_.kind == CommandKind::edit_server) {
      if (!svc_.fwmark && core::keeps_port(dest_.method)) dest_.port = svc_.port;
      if (dest_.family != svc_.family && dest_.method != core::ForwardMethod::tunnel)
        return fail("Different address family is allowed only for tunneling servers");
      if (c_.options.any_of(
              {Opt::tun_type, Opt::tun_port, Opt::tun_nocsum, Opt::tun_csum, Opt::tun_remcsum}) &&
          dest_.method != core::ForwardMethod::tunnel)
        return fail("Tunnel options conflict with forward method");
      if (auto message = check_tunnel_options(c_.tunnel.type, c_.options)) return fail(*message);
    }
    if (c_.kind == CommandKind::list &&
        ((c_.options.any_of({Opt::connection, Opt::timeout, Opt::daemon}) &&
          c_.options.any_of({Opt::stats, Opt::rate, Opt::thresholds})) ||
         (c_.options.any_of({Opt::timeout, Opt::daemon}) && c_.has(Opt::persistent_conn))))
      return fail("options conflicts in the list command");

    // vsd keeps the persistence granularity as a prefix length; an IPv4 mask must be one.
    const AddressFamily family = svc_.family.value_or(AddressFamily::v4);
    unsigned prefix = 0;
    if (family == AddressFamily::v6) {
      prefix = svc_.netmask;
    } else if (auto p = prefix_of_mask(svc_.netmask)) {
      prefix = *p;
    } else {
      return fail("illegal virtual server persistent mask specified");
    }

    core::ServiceConfig& s = c_.service;
    s.key = svc_.fwmark ? core::ServiceKey::firewall_mark(svc_.fwmark, family)
                        : core::ServiceKey::virtual_address(protocol_of(svc_.protocol),
                                                            svc_.address, svc_.port);
    if (!svc_.fwmark && !svc_.family) s.key.family = AddressFamily::v4;
    s.scheduler = svc_.scheduler;
    s.flags = svc_.flags;
    s.persistence_timeout_s = svc_.timeout;
    s.persistence_prefix = prefix;
    s.persistence_engine = svc_.persistence_engine;

    core::DestinationConfig& d = c_.destination;
    d.address = dest_.address;
    d.port = dest_.port;
    d.method = dest_.method;
    d.weight = dest_.weight;
    d.upper_threshold = static_cast<uint32_t>(dest_.upper);
    d.lower_threshold = static_cast<uint32_t>(dest_.lower);
    c_.tunnel.checksum = static_cast<TunnelChecksum>(tunnel_flags_);

    c_.listing.format = listing_format(c_.options);
    c_.listing.names.numeric = c_.has(Opt::numeric);
    c_.listing.exact = c_.has(Opt::exact);
    c_.listing.sort = !c_.has(Opt::nosort);
    return std::nullopt;
  }

 private:
  std::optional<Halt> set(Opt o) {
    if (c_.options.has(o))
      return fail("multiple '" + std::string(option_name(o)) + "' options specified");
    c_.options.add(o);
    return std::nullopt;
  }

  std::optional<Halt> number(Opt o, const std::string& text, long min, long max, long& target,
                             const char* message) {
    if (auto h = set(o)) return h;
    auto n = parse_number(text, min, max);
    if (!n) return fail(message);
    target = *n;
    return std::nullopt;
  }

  Command& c_;
  const HostLookup& lookup_;
  ServiceDraft svc_;
  DestinationDraft dest_;
  std::string sched_flags_;
  uint8_t tunnel_flags_ = 0;
};

}  // namespace

Parsed parse_arguments(const std::string& program, std::span<const std::string> words,
                       const HostLookup& lookup) {
  OptionScanner scanner(kIpvsadmOptions, words);
  const Halt try_help{"", try_help_text(program), 255, true};

  Command command;
  const OptionScanner::Item first = scanner.next();
  if (first.status != OptionScanner::Status::option) return try_help;
  switch (first.option->tag) {
    case kHelp:
      return Halt{usage_text(program), "", 0, true};
    case kVersion:
      return Halt{version_text(), "", 0, true};
    case kStartDaemon:
    case kStopDaemon: {
      const std::string& state = *first.argument;
      if (state == "master")
        command.daemon.state = SyncState::master;
      else if (state == "backup")
        command.daemon.state = SyncState::backup;
      else
        return fail(first.option->tag == kStartDaemon ? "illegal start-daemon parameter specified"
                                                      : "illegal start_daemon specified");
      break;
    }
    default:
      break;
  }
  auto kind = command_of(first.option->tag);
  if (!kind) return try_help;
  command.kind = *kind;

  OptionReader reader(command, lookup);
  while (true) {
    const OptionScanner::Item item = scanner.next();
    if (item.status == OptionScanner::Status::end) break;
    if (item.status != OptionScanner::Status::option)
      return Halt{"", item.word + ": " + OptionScanner::error_text(item.status) + "\n", 255, false};
    if (auto halt = reader.read(item)) return *halt;
  }
  if (auto halt = reader.finish(scanner.leftovers())) return *halt;
  if (auto message = check_command_options(command.kind, command.options)) return fail(*message);
  if (auto halt = reader.complete()) return *halt;
  return command;
}

}  // namespace vsd::cli

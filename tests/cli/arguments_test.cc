// Behaviour matched: ipvsadm 1.31 ipvsadm.c: parse_options() (its popt option table, short
// option clusters, optional -p argument), process_options() (defaults: wlc, -p 300, mask /32 or
// /128, weight 1, -g; DR/TUN destination port = service port), generic_opt_check() with the
// commands_v_options table, tunnel_opt_check(), parse_service(), parse_sched_flags(), fail(),
// tryhelp_exit(), usage_exit(), version_exit(); popt's "unknown option"/"missing argument".
#include "cli/arguments.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/endpoint_argument.h"
#include "host_table.h"

namespace vsd::cli {
namespace {

using core::ForwardMethod;
using core::Protocol;
namespace flag = core::service_flag;

class ArgumentsTest : public ::testing::Test {
 protected:
  ArgumentsTest() {
    names_.host("www.example", "192.168.2.11")
        .host("real1", "10.10.10.11")
        .service("http", 6, 80)
        .service("domain", 17, 53);
  }
  Parsed parse(std::vector<std::string> words) { return parse_arguments("ipvsadm", words, names_); }
  Command command(std::vector<std::string> words) {
    Parsed p = parse(words);
    if (const Halt* h = std::get_if<Halt>(&p)) {
      ADD_FAILURE() << "halted: " << h->err << h->out;
      return {};
    }
    return std::get<Command>(p);
  }
  Halt halt(std::vector<std::string> words) {
    Parsed p = parse(words);
    if (!std::holds_alternative<Halt>(p)) {
      ADD_FAILURE() << "parsed, expected a halt";
      return {};
    }
    return std::get<Halt>(p);
  }

  testing::HostTable names_;
};

core::ServiceKey tcp(const std::string& endpoint) {
  const Endpoint e = *parse_endpoint(endpoint);
  return core::ServiceKey::virtual_address(Protocol::tcp, e.address, e.port);
}

TEST_F(ArgumentsTest, AddServiceTakesIpvsadmDefaults) {
  Command c = command({"-A", "-t", "192.168.2.11:80"});
  EXPECT_EQ(c.kind, CommandKind::add_service);
  EXPECT_EQ(c.service.key, tcp("192.168.2.11:80"));
  EXPECT_EQ(c.service.scheduler, "wlc");
  EXPECT_EQ(c.service.flags, 0u);
  EXPECT_EQ(c.service.persistence_prefix, 32u);
  EXPECT_EQ(c.service.persistence_timeout_s, 0u);
}

TEST_F(ArgumentsTest, PersistenceWithAndWithoutATimeout) {
  Command bare = command({"-A", "-u", "10.0.0.1:53", "-s", "rr", "-p"});
  EXPECT_EQ(bare.service.key.protocol, Protocol::udp);
  EXPECT_EQ(bare.service.flags, flag::persistent);
  EXPECT_EQ(bare.service.persistence_timeout_s, 300u);
  // -p takes the next word only if it does not start with '-'.
  Command followed = command({"-A", "-t", "10.0.0.1:0", "-p", "-s", "rr"});
  EXPECT_EQ(followed.service.persistence_timeout_s, 300u);
  EXPECT_EQ(followed.service.scheduler, "rr");
  Command given = command({"-A", "-t", "10.0.0.1:0", "-p", "1800", "-M", "255.255.255.0"});
  EXPECT_EQ(given.service.persistence_timeout_s, 1800u);
  EXPECT_EQ(given.service.persistence_prefix, 24u);
  EXPECT_EQ(command({"-A", "-t", "10.0.0.1:0", "-p2678400"}).service.persistence_timeout_s,
            2678400u);
}

TEST_F(ArgumentsTest, FirewallMarksSchedulerFlagsAndIpv6) {
  Command mark = command({"-E", "-f", "7", "-s", "sh", "-b", "sh-fallback,sh-port"});
  EXPECT_EQ(mark.kind, CommandKind::edit_service);
  EXPECT_EQ(mark.service.key, core::ServiceKey::firewall_mark(7));
  EXPECT_EQ(mark.service.flags, flag::sched1 | flag::sched2);
  Command mark6 = command({"-A", "-f", "8", "-6", "-s", "mh", "-b", "mh-port", "-p", "-M", "64"});
  EXPECT_EQ(mark6.service.key, core::ServiceKey::firewall_mark(8, AddressFamily::v6));
  EXPECT_EQ(mark6.service.flags, flag::sched2 | flag::persistent);
  EXPECT_EQ(mark6.service.persistence_prefix, 64u);
  Command v6 = command({"-A", "--sctp-service", "[2001:db8::1]:3868", "--pe", "sip"});
  EXPECT_EQ(v6.service.key.protocol, Protocol::sctp);
  EXPECT_EQ(v6.service.key.address, *IpAddress::parse("2001:db8::1"));
  EXPECT_EQ(v6.service.key.port, 3868);
  EXPECT_EQ(v6.service.persistence_prefix, 128u);
  EXPECT_EQ(v6.service.persistence_engine, "sip");
  // An IPv4 mask given before an IPv6 address is replaced by /128, as ipvsadm does.
  EXPECT_EQ(command({"-A", "-M", "255.255.0.0", "-t", "[::1]:80"}).service.persistence_prefix,
            128u);
  Command ops = command({"-A", "-u", "10.0.0.1:53", "-o", "-b", "flag-1,flag-3"});
  EXPECT_EQ(ops.service.flags, flag::one_packet | flag::sched1 | flag::sched3);
}

TEST_F(ArgumentsTest, NamesAndIpvsadmAddressForms) {
  Command named = command({"-A", "-t", "www.example:http"});
  EXPECT_EQ(named.service.key, tcp("192.168.2.11:80"));
  EXPECT_EQ(command({"-A", "-u", "www.example:domain"}).service.key.port, 53);
  // inet_aton's short forms, as ipvsadm accepts them.
  EXPECT_EQ(command({"-A", "-t", "10.1:80"}).service.key, tcp("10.0.0.1:80"));
  EXPECT_EQ(command({"-A", "-t", "0x7f.1:80"}).service.key, tcp("127.0.0.1:80"));
  // Port names are looked up for the service's protocol: "domain" is not a TCP name here.
  EXPECT_EQ(halt({"-A", "-t", "www.example:domain"}).err,
            "illegal virtual server address[:port] specified\n");
}

TEST_F(ArgumentsTest, LongOptionsClustersAndEquals) {
  Command c = command({"--add-service", "--tcp-service=192.168.2.11:80", "--scheduler", "rr",
                       "--persistent=60", "--netmask=255.255.255.128"});
  EXPECT_EQ(c.service.key, tcp("192.168.2.11:80"));
  EXPECT_EQ(c.service.scheduler, "rr");
  EXPECT_EQ(c.service.persistence_timeout_s, 60u);
  EXPECT_EQ(c.service.persistence_prefix, 25u);
  EXPECT_EQ(command({"-At192.168.2.11:80"}).service.key, tcp("192.168.2.11:80"));
  Command listing = command({"-Lnc"});
  EXPECT_TRUE(listing.has(Opt::connection));
  EXPECT_TRUE(listing.listing.names.numeric);
  EXPECT_EQ(command({"-l"}).kind, CommandKind::list);
  EXPECT_FALSE(command({"-L"}).listing.names.numeric);
}

TEST_F(ArgumentsTest, RealServerDefaultsAndPortRules) {
  Command dr = command({"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.11"});
  EXPECT_EQ(dr.kind, CommandKind::add_server);
  EXPECT_EQ(dr.destination.address, *IpAddress::parse("10.10.10.11"));
  EXPECT_EQ(dr.destination.port, 80);
  EXPECT_EQ(dr.destination.method, ForwardMethod::route);
  EXPECT_EQ(dr.destination.weight, 1);
  // DR and TUN cannot map ports: the service's port wins over the one given.
  EXPECT_EQ(
      command({"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.11:8080", "-g"}).destination.port,
      80);
  Command nat = command({"-e", "-t", "192.168.2.11:80", "-r", "real1:8080", "-m", "-w", "5", "-x",
                         "100", "-y", "10"});
  EXPECT_EQ(nat.kind, CommandKind::edit_server);
  EXPECT_EQ(nat.destination.address, *IpAddress::parse("10.10.10.11"));
  EXPECT_EQ(nat.destination.port, 8080);
  EXPECT_EQ(nat.destination.method, ForwardMethod::masq);
  EXPECT_EQ(nat.destination.weight, 5);
  EXPECT_EQ(nat.destination.upper_threshold, 100u);
  EXPECT_EQ(nat.destination.lower_threshold, 10u);
  EXPECT_EQ(
      command({"-a", "-t", "192.168.2.11:80", "-r", "10.0.0.2:81", "--fullnat"}).destination.method,
      ForwardMethod::fullnat);
  EXPECT_EQ(
      command({"-a", "-t", "192.168.2.11:80", "-r", "10.0.0.2", "-w", "0"}).destination.weight, 0);
  Command del = command({"-d", "-f", "3", "-r", "10.0.0.2:25"});
  EXPECT_EQ(del.kind, CommandKind::delete_server);
  EXPECT_EQ(del.destination.port, 25);
}

TEST_F(ArgumentsTest, TunnelsMayCrossFamiliesAndCarryEncapsulation) {
  Command gue = command({"-a", "-t", "192.168.2.11:80", "-r", "[2001:db8::10]:80", "-i",
                         "--tun-type", "gue", "--tun-port", "6080", "--tun-remcsum"});
  EXPECT_EQ(gue.destination.method, ForwardMethod::tunnel);
  EXPECT_EQ(gue.tunnel.type, TunnelType::gue);
  EXPECT_EQ(gue.tunnel.port, 6080);
  EXPECT_EQ(gue.tunnel.checksum, TunnelChecksum::remote_checksum);
  Command gre = command(
      {"-a", "-t", "192.168.2.11:80", "-r", "10.0.0.9", "-i", "--tun-type", "gre", "--tun-csum"});
  EXPECT_EQ(gre.tunnel.type, TunnelType::gre);
  EXPECT_EQ(gre.tunnel.checksum, TunnelChecksum::checksum);
}

TEST_F(ArgumentsTest, OtherCommands) {
  EXPECT_EQ(command({"-D", "-t", "192.168.2.11:80"}).kind, CommandKind::delete_service);
  EXPECT_EQ(command({"-C"}).kind, CommandKind::flush);
  EXPECT_EQ(command({"--clear"}).kind, CommandKind::flush);
  EXPECT_EQ(command({"-R"}).kind, CommandKind::restore);
  Command save = command({"-S", "-n"});
  EXPECT_EQ(save.kind, CommandKind::save);
  EXPECT_TRUE(save.listing.names.numeric);
  EXPECT_FALSE(command({"-Z"}).has(Opt::service));
  EXPECT_TRUE(command({"-Z", "-f", "1"}).has(Opt::service));
  Command set = command({"--set", "900", "120", "300"});
  EXPECT_EQ(set.kind, CommandKind::set_timeouts);
  EXPECT_EQ(set.timeouts.tcp, 900u);
  EXPECT_EQ(set.timeouts.tcp_fin, 120u);
  EXPECT_EQ(set.timeouts.udp, 300u);
  EXPECT_EQ(command({"--set", "0", "0", "60"}).timeouts.udp, 60u);
}

TEST_F(ArgumentsTest, SyncDaemonOptions) {
  Command start = command({"--start-daemon", "master", "--mcast-interface", "eth1", "--syncid", "5",
                           "--sync-maxlen", "1400", "--mcast-group", "224.0.0.82", "--mcast-port",
                           "8849", "--mcast-ttl", "2"});
  EXPECT_EQ(start.kind, CommandKind::start_daemon);
  EXPECT_EQ(start.daemon.state, SyncState::master);
  EXPECT_EQ(start.daemon.mcast_interface, "eth1");
  EXPECT_EQ(start.daemon.syncid, 5u);
  EXPECT_EQ(start.daemon.sync_maxlen, 1400u);
  EXPECT_EQ(start.daemon.mcast_group, IpAddress::parse("224.0.0.82"));
  EXPECT_EQ(start.daemon.mcast_port, 8849);
  EXPECT_EQ(start.daemon.mcast_ttl, 2);
  Command backup = command({"--start-daemon=backup"});
  EXPECT_EQ(backup.daemon.state, SyncState::backup);
  EXPECT_EQ(backup.daemon.mcast_interface, "eth0");
  EXPECT_EQ(backup.daemon.syncid, 0u);
  EXPECT_FALSE(backup.daemon.mcast_group);
  EXPECT_EQ(command({"--start-daemon", "master", "--mcast-group", "ff02::1:2"}).daemon.mcast_group,
            IpAddress::parse("ff02::1:2"));
  Command stop = command({"--stop-daemon", "backup", "--syncid", "9"});
  EXPECT_EQ(stop.kind, CommandKind::stop_daemon);
  EXPECT_EQ(stop.daemon.state, SyncState::backup);
}

TEST_F(ArgumentsTest, ListingFormats) {
  EXPECT_EQ(command({"-L", "--stats"}).listing.format, ListingFormat::stats);
  EXPECT_EQ(command({"-L", "--rate"}).listing.format, ListingFormat::rate);
  EXPECT_EQ(command({"-L", "--thresholds"}).listing.format, ListingFormat::thresholds);
  EXPECT_EQ(command({"-L", "--persistent-conn"}).listing.format, ListingFormat::persistent_conn);
  EXPECT_EQ(command({"-L", "--tun-info"}).listing.format, ListingFormat::tun_info);
  // Like ipvsadm's print order, --stats wins over --rate.
  EXPECT_EQ(command({"-L", "--rate", "--stats"}).listing.format, ListingFormat::stats);
  Command c = command({"-L", "-n", "--exact", "--nosort", "-t", "192.168.2.11:80"});
  EXPECT_TRUE(c.listing.exact);
  EXPECT_FALSE(c.listing.sort);
  EXPECT_TRUE(c.has(Opt::service));
  EXPECT_TRUE(command({"-L", "--sort"}).listing.sort);
  // --sort is a no-op ipvsadm accepts with any command.
  EXPECT_EQ(command({"-A", "-t", "1.2.3.4:80", "--sort"}).kind, CommandKind::add_service);
  EXPECT_TRUE(command({"-L", "--timeout"}).has(Opt::timeout));
  EXPECT_TRUE(command({"-L", "--daemon"}).has(Opt::daemon));
}

TEST_F(ArgumentsTest, HelpAndVersionPrintToStdoutAndExitZero) {
  Halt help = halt({"-h"});
  EXPECT_EQ(help.status, 0);
  EXPECT_TRUE(help.err.empty());
  EXPECT_EQ(help.out.rfind("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n"
                           "Usage:\n"
                           "  ipvsadm -A|E virtual-service [-s scheduler] [-p [timeout]] "
                           "[-M netmask] [--pe persistence_engine] [-b sched-flags]\n",
                           0),
            0u);
  EXPECT_NE(help.out.find("  --mcast-ttl ttl                     Multicast TTL (default=1)\n"),
            std::string::npos);
  EXPECT_EQ(halt({"--help"}).out, help.out);
  Halt version = halt({"-v"});
  EXPECT_EQ(version.out, "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n");
  EXPECT_EQ(version.status, 0);
}

struct Refusal {
  std::vector<std::string> words;
  std::string err;
  int status;
  bool ends_program;
};

const std::string kTryHelp = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n";

TEST_F(ArgumentsTest, RefusalsPrintIpvsadmsWordsAndStatus) {
  const std::vector<Refusal> cases = {
      // The first option must be a command.
      {{"-t", "1.2.3.4:80"}, kTryHelp, 255, true},
      {{"--foo"}, kTryHelp, 255, true},
      {{"foo"}, kTryHelp, 255, true},
      {{"-V"}, kTryHelp, 255, true},
      {{"--start-daemon"}, kTryHelp, 255, true},
      // popt's errors after the command make ipvsadm return -1 rather than exit.
      {{"-L", "--foo"}, "--foo: unknown option\n", 255, false},
      {{"-L", "-nq"}, "-nq: unknown option\n", 255, false},
      {{"-A", "-t"}, "-t: missing argument\n", 255, false},
      {{"-L", "--tcp-serv", "x"}, "--tcp-serv: unknown option\n", 255, false},
      {{"-L", "-A"}, "invalid option `-A'\n", 2, true},
      {{"-LA"}, "invalid option `-LA'\n", 2, true},
      {{"-L", "-h"}, "invalid option `-h'\n", 2, true},
      {{"-L", "foo"}, "unexpected argument foo\n", 2, true},
      {{"-A", "-t", "1.2.3.4"}, "Zero port specified for non-persistent service\n", 2, true},
      {{"-A", "-t", "1.2.3.4:80", "-o"},
       "One-Packet Scheduling is only for UDP virtual services\n",
       2,
       true},
      {{"-A", "-t", "1.2.3.4:80", "-w", "3"},
       "Illegal 'weight' option with the 'add-service' command\n",
       2,
       true},
      {{"-A"},
       "You need to supply the 'service-address' option for the 'add-service' command\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80"},
       "You need to supply the 'real-server' option for the 'add-server' command\n",
       2,
       true},
      {{"-d", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-w", "2"},
       "Illegal 'weight' option with the 'delete-server' command\n",
       2,
       true},
      {{"-L", "-c", "-t", "1.2.3.4:80"},
       "The option 'service-address' conflicts with the 'connection' option in the 'list' "
       "command\n",
       2,
       true},
      {{"-L", "--timeout", "--daemon"},
       "The option 'daemon' conflicts with the 'timeout' option in the 'list' command\n",
       2,
       true},
      {{"-L", "-c", "--stats"}, "options conflicts in the list command\n", 2, true},
      {{"-L", "--daemon", "--persistent-conn"}, "options conflicts in the list command\n", 2, true},
      {{"-R", "-n"}, "Illegal 'numeric' option with the 'restore' command\n", 2, true},
      {{"-C", "-t", "1.2.3.4:80"},
       "Illegal 'service-address' option with the 'flush' command\n",
       2,
       true},
      {{"-S", "--stats"}, "Illegal 'stats' option with the 'save' command\n", 2, true},
      {{"--set", "1", "2", "3", "-n"},
       "Illegal 'numeric' option with the 'set' command\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-w", "65536"},
       "illegal weight specified\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-w", "-1"},
       "illegal weight specified\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-w", "1x"},
       "illegal weight specified\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-x", "-1"},
       "illegal u_threshold specified\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-y", "z"},
       "illegal l_threshold specified\n",
       2,
       true},
      {{"-A", "-t", "1.2.3.4:80", "-s", "rr", "-s", "wrr"},
       "multiple 'scheduler' options specified\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-m", "-g"},
       "multiple 'forwarding-method' options specified\n",
       2,
       true},
      {{"-A", "-t", "1.2.3.4:80", "-f", "1"},
       "multiple 'service-address' options specified\n",
       2,
       true},
      {{"-A", "-t", "1.2.3.4:80", "-p", "0"}, "invalid timeout value `0' specified\n", 2, true},
      {{"-A", "-t", "1.2.3.4:80", "-p", "2678401"},
       "invalid timeout value `2678401' specified\n",
       2,
       true},
      {{"-A", "-f", "0"}, "invalid fwmark value `0' specified\n", 2, true},
      {{"-A", "-f", "4294967296"}, "invalid fwmark value `4294967296' specified\n", 2, true},
      {{"-A", "-t", "1.2.3.4:80", "-6"}, "-6 used before -f\n\n", 2, true},
      {{"-A", "-t", "1.2.3.4:80", "-b", "sh-port"},
       "incompatible scheduler flag `sh-port'\n",
       2,
       true},
      {{"-A", "-t", "1.2.3.4:80", "-s", "sh", "-b", "sh-port,mh-port"},
       "incompatible scheduler flag `mh-port'\n",
       2,
       true},
      {{"-A", "-t", "1.2.3.4:80", "-s", "sh", "-b", "foo"},
       "invalid scheduler flag `foo'\n",
       2,
       true},
      {{"-A", "-t", "no.such.host:80"},
       "illegal virtual server address[:port] specified\n",
       2,
       true},
      {{"-A", "-t", "80"}, "illegal virtual server address[:port] specified\n", 2, true},
      {{"-A", "-t", "1.2.3.4:65536"}, "illegal virtual server address[:port] specified\n", 2, true},
      {{"-A", "-t", "[::1]"}, "illegal virtual server address[:port] specified\n", 2, true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "nohost"},
       "illegal real server address[:port] specified\n",
       2,
       true},
      {{"-A", "-t", "1.2.3.4:80", "-p", "-M", "nomask"},
       "illegal virtual server persistent mask specified\n",
       2,
       true},
      {{"-A", "-t", "[::1]:80", "-p", "-M", "129"}, "illegal ipv6 netmask specified\n", 2, true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "[::1]:80", "-m"},
       "Different address family is allowed only for tunneling servers\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "--tun-type", "gue"},
       "Tunnel options conflict with forward method\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-i", "--tun-type", "gue"},
       "You need to supply the 'tun-port' option for the 'gue' tunnel type\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-i", "--tun-csum"},
       "Illegal 'tun-csum' option with the 'ipip' tunnel type\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-i", "--tun-type", "gre", "--tun-csum",
        "--tun-nocsum"},
       "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gre' tunnel type\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-i", "--tun-type", "vxlan"},
       "illegal tunnel type specified\n",
       2,
       true},
      {{"-a", "-t", "1.2.3.4:80", "-r", "5.6.7.8", "-i", "--tun-port", "0"},
       "illegal tunnel port specified\n",
       2,
       true},
      {{"--set", "1", "2"}, "--set option requires 3 timeout values\n", 2, true},
      {{"--set", "1", "2", "x"}, "invalid timeout value `x' specified\n", 2, true},
      {{"--set", "1", "2", "3", "4"}, "unexpected argument 4\n", 2, true},
      {{"--start-daemon", "primary"}, "illegal start-daemon parameter specified\n", 2, true},
      {{"--stop-daemon", "x"}, "illegal start_daemon specified\n", 2, true},
      {{"--start-daemon", "master", "--mcast-group", "10.0.0.1"},
       "invalid IPv4 mcast-group `10.0.0.1'\n",
       2,
       true},
      {{"--start-daemon", "master", "--mcast-group", "2001:db8::1"},
       "invalid IPv6 mcast-group `2001:db8::1'\n",
       2,
       true},
      {{"--start-daemon", "master", "--syncid", "256"}, "illegal syncid specified\n", 2, true},
      {{"--start-daemon", "master", "--mcast-port", "0"},
       "illegal mcast-port specified\n",
       2,
       true},
      {{"--start-daemon", "master", "--mcast-ttl", "256"},
       "illegal mcast-ttl specified\n",
       2,
       true},
      {{"--start-daemon", "master", "--sync-maxlen", "65508"},
       "illegal sync-maxlen specified\n",
       2,
       true},
      {{"--stop-daemon", "master", "--mcast-interface", "eth0"},
       "Illegal 'mcast-interface' option with the 'stop-daemon' command\n",
       2,
       true},
  };
  for (const Refusal& r : cases) {
    std::string line;
    for (const auto& w : r.words) line += w + " ";
    SCOPED_TRACE(line);
    Halt h = halt(r.words);
    EXPECT_EQ(h.err, r.err);
    EXPECT_EQ(h.out, "");
    EXPECT_EQ(h.status, r.status);
    EXPECT_EQ(h.ends_program, r.ends_program);
  }
}

TEST_F(ArgumentsTest, ProgramNameAppearsInHelpTexts) {
  EXPECT_EQ(parse_arguments("/usr/sbin/ipvsadm", std::vector<std::string>{"-x"}, names_).index(),
            1u);
  Halt h =
      std::get<Halt>(parse_arguments("/usr/sbin/ipvsadm", std::vector<std::string>{"-x"}, names_));
  EXPECT_EQ(h.err,
            "Try `/usr/sbin/ipvsadm -h' or '/usr/sbin/ipvsadm --help' for more information.\n");
}

}  // namespace
}  // namespace vsd::cli

namespace vsd::cli {
namespace {

// glibc inet_aton() and ipvsadm parse_service() corner cases.
TEST(EndpointArgument, InetAtonForms) {
  EXPECT_EQ(parse_inet_aton("10.0.0.1"), 0x0a000001u);
  EXPECT_EQ(parse_inet_aton("10.1"), 0x0a000001u);
  EXPECT_EQ(parse_inet_aton("10.1.2"), 0x0a010002u);
  EXPECT_EQ(parse_inet_aton("167772161"), 0x0a000001u);
  EXPECT_EQ(parse_inet_aton("0x0a.010.0.1"), 0x0a080001u);
  EXPECT_EQ(parse_inet_aton("0"), 0u);
  EXPECT_FALSE(parse_inet_aton("08.0.0.1"));
  EXPECT_FALSE(parse_inet_aton("256.0.0.1"));
  EXPECT_FALSE(parse_inet_aton("1.2.3.4.5"));
  EXPECT_FALSE(parse_inet_aton("1..2"));
  EXPECT_FALSE(parse_inet_aton("1.2.3.4x"));
  EXPECT_FALSE(parse_inet_aton(""));
}

TEST(EndpointArgument, IpvsadmParseServiceQuirks) {
  const NumericHostLookup numbers;
  auto v6 = parse_endpoint_argument("[2001:db8::1]:443", 6, numbers);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->address, *IpAddress::parse("2001:db8::1"));
  EXPECT_EQ(v6->port, 443);
  // Without brackets an IPv6 address takes no port: the last group is part of the address.
  auto bare = parse_endpoint_argument("2001:db8::1:443", 6, numbers);
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->address, *IpAddress::parse("2001:db8::1:443"));
  EXPECT_FALSE(bare->port);
  // ipvsadm drops the port of a bracketed IPv4 address.
  auto bracketed = parse_endpoint_argument("[10.0.0.1]:80", 6, numbers);
  ASSERT_TRUE(bracketed);
  EXPECT_EQ(bracketed->address, *IpAddress::parse("10.0.0.1"));
  EXPECT_FALSE(bracketed->port);
  EXPECT_FALSE(parse_endpoint_argument("10.0.0.1:", 6, numbers));
  EXPECT_FALSE(parse_endpoint_argument("10.0.0.1:http", 6, numbers));
  EXPECT_EQ(parse_endpoint_argument("10.0.0.1:+80", 6, numbers)->port, 80);
}

}  // namespace
}  // namespace vsd::cli

// Behaviour matched: ipvsadm 1.31 ipvsadm.c, print_service_entry() with FMT_RULE (ipvsadm -S),
// print_sched_flags(), fwd_switch(), print_tunnel_rule(); the options parse_options() reads back
// (ipvsadm -R).
#include "cli/save_format.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "common/random.h"
#include "row_builders.h"
#include "table_resolver.h"

namespace vsd::cli {
namespace {

using core::ForwardMethod;
using core::Protocol;
using vsd::testing::destination;
using vsd::testing::fwmark_service;
using vsd::testing::make_persistent;
using vsd::testing::service;
using vsd::testing::TableResolver;

const NameStyle kNumeric{.numeric = true, .resolver = nullptr};

TEST(SaveFormat, ServicesAndDestinationsAsRestorableCommands) {
  ServiceRow udp = service(Protocol::udp, "192.168.2.11:53", "wlc");
  make_persistent(udp, 300, 24);
  destination(udp, "10.10.10.21:53", ForwardMethod::route, 3);
  ServiceRow tcp = service(Protocol::tcp, "192.168.2.11:80", "rr");
  destination(tcp, "10.10.10.12:80", ForwardMethod::masq, 1).config.upper_threshold = 100;
  destination(tcp, "10.10.10.11:80", ForwardMethod::masq, 0);
  const std::vector<ServiceRow> rows = {udp, tcp};
  // Thresholds are not saved: ipvsadm 1.31 writes only -r, the forwarding switch and -w.
  EXPECT_EQ(format_save(rows, kNumeric),
            "-A -t 192.168.2.11:80 -s rr\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.11:80 -m -w 0\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.12:80 -m -w 1\n"
            "-A -u 192.168.2.11:53 -s wlc -p 300 -M 255.255.255.0\n"
            "-a -u 192.168.2.11:53 -r 10.10.10.21:53 -g -w 3\n");
}

TEST(SaveFormat, FirewallMarksIpv6AndServiceOptions) {
  ServiceRow mark = fwmark_service(7, "sh");
  mark.config.flags = core::service_flag::sched1 | core::service_flag::sched2;
  destination(mark, "10.10.10.31:0", ForwardMethod::local, 1);
  ServiceRow mark6 = fwmark_service(8, "rr", AddressFamily::v6);
  make_persistent(mark6, 600, 64);
  mark6.config.persistence_engine = "sip";
  mark6.config.flags |= core::service_flag::one_packet;
  ServiceRow diameter = service(Protocol::sctp, "[2001:db8::1]:3868", "mh");
  diameter.config.flags = core::service_flag::sched2;
  destination(diameter, "[2001:db8::10]:3868", ForwardMethod::route, 2);
  ServiceRow sip = service(Protocol::udp, "10.0.0.1:5060", "rr");
  sip.config.persistence_engine = "sip";  // saved even when not persistent
  const std::vector<ServiceRow> rows = {mark6, diameter, mark, sip};
  EXPECT_EQ(format_save(rows, kNumeric),
            "-A -u 10.0.0.1:5060 -s rr --pe sip\n"
            "-A --sctp-service [2001:db8::1]:3868 -s mh -b mh-port\n"
            "-a --sctp-service [2001:db8::1]:3868 -r [2001:db8::10]:3868 -g -w 2\n"
            "-A -f 7 -s sh -b sh-fallback,sh-port\n"
            "-a -f 7 -r 10.10.10.31:0 -g -w 1\n"
            "-A -f 8 -6 -s rr -p 600 -M 64 --pe sip -o\n");
}

TEST(SaveFormat, TunnelDestinationsCarryTheirEncapsulation) {
  ServiceRow web = service(Protocol::tcp, "192.168.2.11:80", "wrr");
  destination(web, "10.10.10.11:80", ForwardMethod::tunnel, 1);
  destination(web, "10.10.10.12:80", ForwardMethod::tunnel, 2).tunnel = {
      TunnelType::gue, 6080, TunnelChecksum::remote_checksum};
  destination(web, "10.10.10.13:80", ForwardMethod::tunnel, 3).tunnel = {TunnelType::gre, 0,
                                                                         TunnelChecksum::checksum};
  const std::vector<ServiceRow> rows = {web};
  EXPECT_EQ(format_save(rows, kNumeric),
            "-A -t 192.168.2.11:80 -s wrr\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.11:80 -i -w 1 --tun-type ipip\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.12:80 -i -w 2 --tun-type gue --tun-port 6080 "
            "--tun-remcsum\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.13:80 -i -w 3 --tun-type gre --tun-csum\n");
}

TEST(SaveFormat, WithoutNumericNamesAreResolvedAndNotCut) {
  TableResolver names;
  names.host("192.168.2.11", "www.example.com")
      .host("10.10.10.11", "a-very-long-real-server-name.example.com")
      .service(80, "tcp", "http");
  ServiceRow web = service(Protocol::tcp, "192.168.2.11:80", "rr");
  destination(web, "10.10.10.11:80", ForwardMethod::masq);
  destination(web, "10.10.10.12:8080", ForwardMethod::masq);
  const std::vector<ServiceRow> rows = {web};
  EXPECT_EQ(format_save(rows, NameStyle{.numeric = false, .resolver = &names}),
            "-A -t www.example.com:http -s rr\n"
            "-a -t www.example.com:http -r a-very-long-real-server-name.example.com:http -m -w 1\n"
            "-a -t www.example.com:http -r 10.10.10.12:8080 -m -w 1\n");
  EXPECT_EQ(format_save(rows, NameStyle{.numeric = true, .resolver = &names}),
            "-A -t 192.168.2.11:80 -s rr\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.11:80 -m -w 1\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.12:8080 -m -w 1\n");
}

// Reads a saved line back with ipvsadm's option meanings: what -R would configure.
struct RestoredLine {
  char command = 0;
  core::ServiceConfig service;
  core::DestinationConfig destination;
  TunnelSettings tunnel;
};

RestoredLine restore(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  RestoredLine r;
  r.service.persistence_timeout_s = 0;
  r.service.scheduler.clear();
  bool mask_given = false;
  size_t i = 0;
  auto next = [&]() { return words.at(++i); };
  for (; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "-A" || w == "-a") {
      r.command = w[1];
    } else if (w == "-t" || w == "-u" || w == "--sctp-service") {
      const Endpoint e = *parse_endpoint(next());
      const Protocol p = w == "-t" ? Protocol::tcp : w == "-u" ? Protocol::udp : Protocol::sctp;
      r.service.key = core::ServiceKey::virtual_address(p, e.address, e.port);
    } else if (w == "-f") {
      r.service.key = core::ServiceKey::firewall_mark(static_cast<uint32_t>(std::stoul(next())));
    } else if (w == "-6") {
      r.service.key.family = AddressFamily::v6;
    } else if (w == "-s") {
      r.service.scheduler = next();
    } else if (w == "-p") {
      r.service.flags |= core::service_flag::persistent;
      r.service.persistence_timeout_s = static_cast<uint32_t>(std::stoul(next()));
    } else if (w == "-M") {
      const std::string mask = next();
      mask_given = true;
      r.service.persistence_prefix = mask.find('.') != std::string::npos
                                         ? *netmask_to_prefix(mask)
                                         : static_cast<unsigned>(std::stoul(mask));
    } else if (w == "--pe") {
      r.service.persistence_engine = next();
    } else if (w == "-o") {
      r.service.flags |= core::service_flag::one_packet;
    } else if (w == "-b") {
      std::istringstream flags(next());
      for (std::string f; std::getline(flags, f, ',');) {
        if (f == "flag-1" || f == "sh-fallback" || f == "mh-fallback")
          r.service.flags |= core::service_flag::sched1;
        else if (f == "flag-2" || f == "sh-port" || f == "mh-port")
          r.service.flags |= core::service_flag::sched2;
        else if (f == "flag-3")
          r.service.flags |= core::service_flag::sched3;
        else
          ADD_FAILURE() << "unknown scheduler flag " << f;
      }
    } else if (w == "-r") {
      const Endpoint e = *parse_endpoint(next());
      r.destination.address = e.address;
      r.destination.port = e.port;
    } else if (w == "-m" || w == "-g" || w == "-i") {
      r.destination.method = w == "-m"   ? ForwardMethod::masq
                             : w == "-g" ? ForwardMethod::route
                                         : ForwardMethod::tunnel;
    } else if (w == "-w") {
      r.destination.weight = std::stoll(next());
    } else if (w == "--tun-type") {
      const std::string t = next();
      r.tunnel.type = t == "gue"   ? TunnelType::gue
                      : t == "gre" ? TunnelType::gre
                                   : TunnelType::ipip;
    } else if (w == "--tun-port") {
      r.tunnel.port = static_cast<uint16_t>(std::stoul(next()));
    } else if (w == "--tun-csum") {
      r.tunnel.checksum = TunnelChecksum::checksum;
    } else if (w == "--tun-remcsum") {
      r.tunnel.checksum = TunnelChecksum::remote_checksum;
    } else if (w != "--tun-nocsum") {
      ADD_FAILURE() << "unexpected word " << w << " in: " << line;
    }
  }
  // ipvsadm's default granularity is the whole address: /32, or /128 for an IPv6 service.
  if (!mask_given)
    r.service.persistence_prefix = r.service.key.family == AddressFamily::v6 ? 128 : 32;
  return r;
}

ServiceRow random_service(SplitMix64& random, uint32_t index) {
  static const char* const kSchedulers[] = {"rr", "wrr", "wlc", "sh", "mh", "lblc"};
  ServiceRow row;
  const bool v6 = random.below(2) == 1;
  if (random.below(4) == 0) {
    row = fwmark_service(index + 1, "wlc", v6 ? AddressFamily::v6 : AddressFamily::v4);
  } else {
    const Protocol protocols[] = {Protocol::tcp, Protocol::udp, Protocol::sctp};
    std::array<uint8_t, 16> bytes{};
    for (auto& b : bytes) b = static_cast<uint8_t>(random.next());
    const IpAddress address =
        v6 ? IpAddress::v6(bytes) : IpAddress::v4(static_cast<uint32_t>(random.next()));
    row.config.key = core::ServiceKey::virtual_address(protocols[random.below(3)], address,
                                                       static_cast<uint16_t>(index + 1));
    row.config.persistence_prefix = v6 ? 128 : 32;
  }
  row.config.scheduler = kSchedulers[random.below(6)];
  const bool named_flags = row.config.scheduler == "sh" || row.config.scheduler == "mh";
  row.config.flags = static_cast<uint32_t>(random.below(named_flags ? 4 : 8)) << 3;
  if (random.below(2)) {
    make_persistent(row, static_cast<uint32_t>(1 + random.below(86400)),
                    static_cast<unsigned>(1 + random.below(v6 ? 128 : 32)));
  }
  if (random.below(4) == 0) row.config.persistence_engine = "sip";
  if (random.below(4) == 0) row.config.flags |= core::service_flag::one_packet;
  const int destinations = static_cast<int>(random.below(4));
  for (int d = 0; d < destinations; ++d) {
    const ForwardMethod methods[] = {ForwardMethod::masq, ForwardMethod::route,
                                     ForwardMethod::tunnel};
    DestinationRow& dest =
        destination(row, v6 ? "[2001:db8::10]:1" : "10.0.0.1:1", methods[random.below(3)],
                    static_cast<int64_t>(random.below(65536)));
    dest.config.port = static_cast<uint16_t>(random.below(65536));
    dest.config.address = v6 ? IpAddress::parse("2001:db8::" + std::to_string(d + 1)).value()
                             : IpAddress::v4(0x0a000001u + static_cast<uint32_t>(d));
    if (dest.config.method == ForwardMethod::tunnel) {
      dest.tunnel.type = static_cast<TunnelType>(random.below(3));
      if (dest.tunnel.type == TunnelType::gue)
        dest.tunnel.port = static_cast<uint16_t>(1 + random.below(65535));
      if (dest.tunnel.type != TunnelType::ipip)
        dest.tunnel.checksum = static_cast<TunnelChecksum>(random.below(3));
    }
  }
  return row;
}

// Every field that -S writes comes back unchanged when the line is read with ipvsadm's options.
TEST(SaveFormat, SavedFieldsRestoreToTheSameConfiguration) {
  SplitMix64 random(20240611);
  for (int round = 0; round < 50; ++round) {
    std::vector<ServiceRow> rows;
    for (uint32_t i = 0; i < 5; ++i) rows.push_back(random_service(random, i));
    std::istringstream saved(format_save(rows, kNumeric));
    const ServiceRow* current = nullptr;
    size_t destinations_seen = 0;
    for (std::string line; std::getline(saved, line);) {
      const RestoredLine r = restore(line);
      SCOPED_TRACE(line);
      if (r.command == 'A') {
        current = nullptr;
        for (const ServiceRow& row : rows)
          if (row.config.key == r.service.key) current = &row;
        ASSERT_NE(current, nullptr);
        core::ServiceConfig expected = current->config;
        if (!expected.persistent()) {
          expected.persistence_timeout_s = 0;
          expected.persistence_prefix = r.service.persistence_prefix;
        }
        EXPECT_EQ(r.service, expected);
      } else {
        ASSERT_EQ(r.command, 'a');
        ASSERT_NE(current, nullptr);
        EXPECT_TRUE(r.service.key == current->config.key);
        const DestinationRow* match = nullptr;
        for (const DestinationRow& d : current->destinations)
          if (d.config.endpoint() == r.destination.endpoint()) match = &d;
        ASSERT_NE(match, nullptr);
        EXPECT_EQ(r.destination.method, match->config.method);
        EXPECT_EQ(r.destination.weight, match->config.weight);
        if (match->config.method == ForwardMethod::tunnel) {
          EXPECT_EQ(r.tunnel.type, match->tunnel.type);
          EXPECT_EQ(r.tunnel.port, match->tunnel.port);
          EXPECT_EQ(r.tunnel.checksum, match->tunnel.checksum);
        }
        ++destinations_seen;
      }
    }
    size_t destinations_total = 0;
    for (const ServiceRow& row : rows) destinations_total += row.destinations.size();
    EXPECT_EQ(destinations_seen, destinations_total);
  }
}

}  // namespace
}  // namespace vsd::cli

// Behaviour matched: ipvsadm 1.31 ipvsadm.c, list_all(), list_service(), print_title(),
// print_service_entry(), print_sched_flags(), fwd_name(), fwd_tun_info(), addrport_to_anyname().
// Expected texts were rendered from those printf formats, column by column.
#include "cli/listing.h"

#include <gtest/gtest.h>

#include <vector>

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

ListingOptions numeric(ListingFormat format = ListingFormat::plain) {
  ListingOptions o;
  o.format = format;
  o.names.numeric = true;
  return o;
}

std::vector<ServiceRow> two_services() {
  ServiceRow udp = service(Protocol::udp, "192.168.2.11:53", "wlc");
  make_persistent(udp, 300, 24);
  destination(udp, "10.10.10.21:53", ForwardMethod::route, 3, 0, 7);
  ServiceRow tcp = service(Protocol::tcp, "192.168.2.11:80", "rr");
  destination(tcp, "10.10.10.12:80", ForwardMethod::masq, 1, 0, 0);
  destination(tcp, "10.10.10.11:80", ForwardMethod::masq, 1, 5, 12);
  return {udp, tcp};
}

TEST(Listing, PlainListingIsSortedAndPadded) {
  EXPECT_EQ(format_listing(two_services(), numeric()),
            "IP Virtual Server version 1.2.1 (size=4096)\n"
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  192.168.2.11:80 rr\n"
            "  -> 10.10.10.11:80               Masq    1      5          12        \n"
            "  -> 10.10.10.12:80               Masq    1      0          0         \n"
            "UDP  192.168.2.11:53 wlc persistent 300 mask 255.255.255.0\n"
            "  -> 10.10.10.21:53               Route   3      0          7         \n");
}

TEST(Listing, VersionLineReportsTheConnectionTableSize) {
  const std::string out = format_listing({}, numeric(), IpvsInfo{1, 2, 1, 1 << 20});
  EXPECT_EQ(out,
            "IP Virtual Server version 1.2.1 (size=1048576)\n"
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
}

TEST(Listing, NoSortKeepsTheDaemonsOrder) {
  ListingOptions o = numeric();
  o.sort = false;
  EXPECT_EQ(format_listing(two_services(), o),
            "IP Virtual Server version 1.2.1 (size=4096)\n"
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "UDP  192.168.2.11:53 wlc persistent 300 mask 255.255.255.0\n"
            "  -> 10.10.10.21:53               Route   3      0          7         \n"
            "TCP  192.168.2.11:80 rr\n"
            "  -> 10.10.10.12:80               Masq    1      0          0         \n"
            "  -> 10.10.10.11:80               Masq    1      5          12        \n");
}

TEST(Listing, OneServiceListingHasNoVersionLine) {
  ServiceRow tcp = service(Protocol::tcp, "192.168.2.11:80", "rr");
  destination(tcp, "10.10.10.11:80", ForwardMethod::local, 0, 0, 0);
  EXPECT_EQ(format_service_listing(tcp, numeric()),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  192.168.2.11:80 rr\n"
            "  -> 10.10.10.11:80               Local   0      0          0         \n");
}

std::string service_line(const ServiceRow& row) {
  const std::string out = format_service_listing(row, numeric());
  const size_t start = out.find('\n', out.find('\n') + 1) + 1;
  return out.substr(start, out.find('\n', start) - start);
}

TEST(Listing, SchedulerFlagsUseTheSchedulersOwnWords) {
  ServiceRow sh = service(Protocol::tcp, "10.0.0.1:80", "sh");
  sh.config.flags = core::service_flag::sched1 | core::service_flag::sched2;
  EXPECT_EQ(service_line(sh), "TCP  10.0.0.1:80 sh (sh-fallback,sh-port)");
  ServiceRow mh = service(Protocol::tcp, "10.0.0.1:80", "mh");
  mh.config.flags = core::service_flag::sched1;
  EXPECT_EQ(service_line(mh), "TCP  10.0.0.1:80 mh (mh-fallback)");
  ServiceRow rr = service(Protocol::tcp, "10.0.0.1:80", "rr");
  rr.config.flags = core::service_flag::sched1 | core::service_flag::sched3;
  EXPECT_EQ(service_line(rr), "TCP  10.0.0.1:80 rr (flag-1,flag-3)");
  // sh has no word for the third flag; ipvsadm still prints the parentheses.
  ServiceRow sh3 = service(Protocol::tcp, "10.0.0.1:80", "sh");
  sh3.config.flags = core::service_flag::sched3;
  EXPECT_EQ(service_line(sh3), "TCP  10.0.0.1:80 sh ()");
}

TEST(Listing, PersistenceEngineShowsOnlyOnPersistentServices) {
  ServiceRow sip = service(Protocol::udp, "10.0.0.1:5060", "rr");
  sip.config.persistence_engine = "sip";
  EXPECT_EQ(service_line(sip), "UDP  10.0.0.1:5060 rr");
  make_persistent(sip, 360, 32);
  EXPECT_EQ(service_line(sip), "UDP  10.0.0.1:5060 rr persistent 360 pe sip");
}

TEST(Listing, OnePacketSchedulingComesLast) {
  ServiceRow dns = service(Protocol::udp, "10.0.0.1:53", "sh");
  dns.config.flags |= core::service_flag::one_packet | core::service_flag::sched1;
  make_persistent(dns, 60, 16);
  EXPECT_EQ(service_line(dns),
            "UDP  10.0.0.1:53 sh (sh-fallback) persistent 60 mask 255.255.0.0 ops");
}

TEST(Listing, FirewallMarkServices) {
  ServiceRow v4 = fwmark_service(7, "wlc");
  EXPECT_EQ(service_line(v4), "FWM  7 wlc");
  ServiceRow v6 = fwmark_service(4000000000u, "rr", AddressFamily::v6);
  make_persistent(v6, 300, 64);
  EXPECT_EQ(service_line(v6), "FWM  4000000000 IPv6 rr persistent 300 mask 64");
  make_persistent(v6, 300, 128);
  EXPECT_EQ(service_line(v6), "FWM  4000000000 IPv6 rr persistent 300");
}

TEST(Listing, SctpNameFillsTheProtocolColumn) {
  ServiceRow sctp = service(Protocol::sctp, "10.0.0.1:3868", "rr");
  EXPECT_EQ(service_line(sctp), "SCTP 10.0.0.1:3868 rr");
}

TEST(Listing, Ipv6AddressesAreBracketedAndNeverCut) {
  ServiceRow web = service(Protocol::tcp, "[2001:db8::1]:443", "wlc");
  make_persistent(web, 300, 64);
  destination(web, "[2001:db8::10]:443", ForwardMethod::route, 1, 0, 0);
  destination(web, "[2001:db8:1234:5678:9abc:def0:1234:5678]:443", ForwardMethod::tunnel, 2, 1, 0);
  EXPECT_EQ(format_service_listing(web, numeric()),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  [2001:db8::1]:443 wlc persistent 300 mask 64\n"
            "  -> [2001:db8::10]:443           Route   1      0          0         \n"
            "  -> [2001:db8:1234:5678:9abc:def0:1234:5678]:443 Tunnel  2      1          0  "
            "       \n");
}

ServiceRow counted_service() {
  ServiceRow web = service(Protocol::tcp, "192.168.2.11:80", "rr");
  web.stats = {12, 99999999, 100000000, 123456789012ULL, 1000000000000ULL};
  web.rates = {123456789, 2, 3, 4000000000ULL, 5};
  DestinationRow& d = destination(web, "10.10.10.11:80", ForwardMethod::masq, 4, 5, 12);
  d.stats = {12, 345, 0, 67890, UINT64_MAX};
  d.rates = {123456789, 2, 3, 4000000000ULL, 5};
  d.config.upper_threshold = 1000;
  d.config.lower_threshold = 750;
  d.persistent_connections = 17;
  return web;
}

TEST(Listing, StatsScaleLargeCounters) {
  // The destination's last two columns run together: 18446744T fills all nine columns.
  EXPECT_EQ(format_service_listing(counted_service(), numeric(ListingFormat::stats)),
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
            "  -> RemoteAddress:Port\n"
            "TCP  192.168.2.11:80                    12 99999999  100000K     123G    1000G\n"
            "  -> 10.10.10.11:80                     12      345        0    6789018446744T\n");
}

TEST(Listing, ExactStatsPrintEveryDigit) {
  ListingOptions o = numeric(ListingFormat::stats);
  o.exact = true;
  const std::string out = format_service_listing(counted_service(), o);
  EXPECT_NE(out.find("TCP  192.168.2.11:80                    12 99999999 100000000 "
                     "123456789012 1000000000000\n"),
            std::string::npos);
  EXPECT_NE(out.find("  -> 10.10.10.11:80                     12      345        0    67890 "
                     "18446744073709551615\n"),
            std::string::npos);
}

TEST(Listing, RatesOfADestinationShowPacketRatesUnscaled) {
  EXPECT_EQ(format_service_listing(counted_service(), numeric(ListingFormat::rate)),
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
            "  -> RemoteAddress:Port\n"
            "TCP  192.168.2.11:80               123456K        2        3    4000M        5\n"
            "  -> 10.10.10.11:80               123456789        2        3    4000M        5\n");
}

TEST(Listing, Thresholds) {
  EXPECT_EQ(format_service_listing(counted_service(), numeric(ListingFormat::thresholds)),
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
            "  -> RemoteAddress:Port\n"
            "TCP  192.168.2.11:80 rr\n"
            "  -> 10.10.10.11:80               1000       750        5          12        \n");
}

TEST(Listing, PersistentConnections) {
  ServiceRow web = counted_service();
  make_persistent(web, 300, 32);
  EXPECT_EQ(format_service_listing(web, numeric(ListingFormat::persistent_conn)),
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
            "  -> RemoteAddress:Port\n"
            "TCP  192.168.2.11:80 rr persistent 300\n"
            "  -> 10.10.10.11:80               4         17          5          12        \n");
}

TEST(Listing, TunnelInfo) {
  ServiceRow web = service(Protocol::tcp, "192.168.2.11:80", "rr");
  destination(web, "10.10.10.11:80", ForwardMethod::tunnel, 1);
  DestinationRow& gue = destination(web, "10.10.10.12:80", ForwardMethod::tunnel, 2);
  gue.tunnel = {TunnelType::gue, 6080, TunnelChecksum::checksum};
  DestinationRow& gre = destination(web, "10.10.10.13:80", ForwardMethod::tunnel, 3);
  gre.tunnel = {TunnelType::gre, 0, TunnelChecksum::none};
  destination(web, "10.10.10.14:80", ForwardMethod::route, 4);
  EXPECT_EQ(
      format_service_listing(web, numeric(ListingFormat::tun_info)),
      "Prot LocalAddress:Port Scheduler Flags\n"
      "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
      "TCP  192.168.2.11:80 rr\n"
      "  -> 10.10.10.11:80               Tunnel  ipip          1      0          0         \n"
      "  -> 10.10.10.12:80               Tunnel  gue:6080:+c   2      0          0         \n"
      "  -> 10.10.10.13:80               Tunnel  gre:-c        3      0          0         \n"
      "  -> 10.10.10.14:80               Route   n/a           4      0          0         \n");
}

TableResolver example_names() {
  TableResolver names;
  names.host("192.168.2.11", "a-long-virtual-service-name.example.org")
      .host("10.10.10.11", "a-very-long-real-server-name.example.com")
      .host("2001:db8::1", "ns.example.net")
      .service(80, "tcp", "http")
      .service(53, "udp", "domain")
      .service(53, "tcp", "domain");
  return names;
}

std::vector<ServiceRow> named_services() {
  ServiceRow web = service(Protocol::tcp, "192.168.2.11:80", "rr");
  destination(web, "10.10.10.11:80", ForwardMethod::masq);
  destination(web, "10.10.10.12:80", ForwardMethod::masq);
  ServiceRow dns = service(Protocol::udp, "[2001:db8::1]:53", "wlc");
  destination(dns, "[2001:db8::53]:53");
  return {web, dns};
}

TEST(Listing, NamesAreResolvedAndCutToTheirColumns) {
  const TableResolver names = example_names();
  ListingOptions o;
  o.names = {.numeric = false, .resolver = &names};
  const std::string out = format_listing(named_services(), o);
  EXPECT_EQ(out.substr(out.find('\n') + 1),
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  a-long-virtual-service-name. rr\n"
            "  -> a-very-long-real-server-name Masq    1      0          0         \n"
            "  -> 10.10.10.12:http             Masq    1      0          0         \n"
            "UDP  [ns.example.net]:domain wlc\n"
            "  -> [2001:db8::53]:domain        Route   1      0          0         \n");
}

TEST(Listing, NumericNeverAsksTheResolver) {
  const TableResolver names = example_names();
  ListingOptions o = numeric();
  o.names.resolver = &names;
  const std::string out = format_listing(named_services(), o);
  EXPECT_EQ(names.lookups, 0);
  EXPECT_NE(out.find("TCP  192.168.2.11:80 rr\n"), std::string::npos);
  EXPECT_NE(out.find("UDP  [2001:db8::1]:53 wlc\n"), std::string::npos);
}

}  // namespace
}  // namespace vsd::cli

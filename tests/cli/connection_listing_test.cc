// Behaviour matched: ipvsadm 1.31 ipvsadm.c, list_conn() and print_conn(); protocol names from
// net/netfilter/ipvs/ip_vs_core.c ip_vs_proto_name().
#include "cli/connection_listing.h"

#include <gtest/gtest.h>

#include <vector>

#include "table_resolver.h"

namespace vsd::cli {
namespace {

using vsd::testing::TableResolver;

ConnectionRow entry(uint8_t protocol, uint32_t expires_s, std::string state,
                    const std::string& client, const std::string& virtual_service,
                    const std::string& destination) {
  ConnectionRow c;
  c.protocol = protocol;
  c.expires_s = expires_s;
  c.state = std::move(state);
  c.client = *parse_endpoint(client);
  c.virtual_service = *parse_endpoint(virtual_service);
  c.destination = *parse_endpoint(destination);
  return c;
}

ConnectionListingOptions numeric() {
  ConnectionListingOptions o;
  o.names.numeric = true;
  return o;
}

TEST(ConnectionListing, EntriesInTableOrderWithFixedColumns) {
  const std::vector<ConnectionRow> rows = {
      entry(6, 899, "ESTABLISHED", "203.0.113.7:51234", "192.168.2.11:80", "10.10.10.11:80"),
      entry(17, 298, "UDP", "203.0.113.7:40000", "192.168.2.11:53", "10.10.10.21:53"),
      // A persistence template of a firewall-mark service: protocol 0, the mark as address.
      entry(0, 300, "NONE", "203.0.113.0:0", "0.0.0.1:0", "10.10.10.11:0"),
      entry(132, 7200, "ESTABLISHED", "[2001:db8::7]:5000", "[2001:db8::1]:3868",
            "[2001:db8::10]:3868"),
      entry(6, 7, "SYN_RECV", "198.51.100.2:1024", "192.168.2.11:80", "10.10.10.12:80"),
  };
  EXPECT_EQ(format_connections(rows, numeric()),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n"
            "TCP 14:59  ESTABLISHED 203.0.113.7:51234  192.168.2.11:80    10.10.10.11:80\n"
            "UDP 04:58  UDP         203.0.113.7:40000  192.168.2.11:53    10.10.10.21:53\n"
            "IP  05:00  NONE        203.0.113.0:0      0.0.0.1:0          10.10.10.11:0\n"
            "SCTP 120:00 ESTABLISHED [2001:db8::7]:5000 [2001:db8::1]:3868 [2001:db8::10]:3868\n"
            "TCP 00:07  SYN_RECV    198.51.100.2:1024  192.168.2.11:80    10.10.10.12:80\n");
}

TEST(ConnectionListing, EmptyTableStillPrintsTheTitles) {
  EXPECT_EQ(format_connections({}, numeric()),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n");
}

TEST(ConnectionListing, PersistentConnAddsPersistenceEngineColumnsWhereThereIsData) {
  ConnectionRow sip =
      entry(17, 120, "UDP", "203.0.113.7:5060", "192.168.2.11:5060", "10.10.10.31:5060");
  sip.pe_name = "sip";
  sip.pe_data = "a84b4c76e66710";
  const std::vector<ConnectionRow> rows = {
      sip, entry(6, 899, "ESTABLISHED", "203.0.113.7:51234", "192.168.2.11:80", "10.10.10.11:80")};
  ConnectionListingOptions o = numeric();
  o.persistent_conn = true;
  EXPECT_EQ(format_connections(rows, o),
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination        "
            "pe name          pe_data\n"
            "UDP 02:00  UDP         203.0.113.7:5060   192.168.2.11:5060  10.10.10.31:5060 sip  "
            "              a84b4c76e66710\n"
            "TCP 14:59  ESTABLISHED 203.0.113.7:51234  192.168.2.11:80    10.10.10.11:80\n");
  // Without --persistent-conn the pe data is not shown.
  EXPECT_EQ(format_connections(rows, numeric()).find("sip"), std::string::npos);
}

TEST(ConnectionListing, NamesAreLookedUpForTheEntrysProtocolOnly) {
  TableResolver names;
  names.host("203.0.113.7", "client.example.com")
      .host("192.168.2.11", "www.example.com")
      .service(80, "tcp", "http");
  const std::vector<ConnectionRow> rows = {
      entry(6, 900, "ESTABLISHED", "203.0.113.7:51234", "192.168.2.11:80", "10.10.10.11:80"),
      entry(0, 300, "NONE", "203.0.113.7:0", "0.0.0.1:0", "10.10.10.11:80"),
  };
  ConnectionListingOptions o;
  o.names = {.numeric = false, .resolver = &names};
  EXPECT_EQ(
      format_connections(rows, o),
      "IPVS connection entries\n"
      "pro expire state       source             virtual            destination\n"
      "TCP 15:00  ESTABLISHED client.example.com:51234 www.example.com:http 10.10.10.11:http\n"
      "IP  05:00  NONE        client.example.com:0 0.0.0.1:0          10.10.10.11:80\n");
}

TEST(ConnectionListing, ProtocolNamesAreTheKernels) {
  EXPECT_EQ(connection_protocol_name(0), "IP");
  EXPECT_EQ(connection_protocol_name(1), "ICMP");
  EXPECT_EQ(connection_protocol_name(4), "IPIP");
  EXPECT_EQ(connection_protocol_name(6), "TCP");
  EXPECT_EQ(connection_protocol_name(17), "UDP");
  EXPECT_EQ(connection_protocol_name(47), "GRE");
  EXPECT_EQ(connection_protocol_name(58), "ICMPv6");
  EXPECT_EQ(connection_protocol_name(132), "SCTP");
  EXPECT_EQ(connection_protocol_name(50), "IP_50");
}

TEST(ConnectionListing, ExpireIsMinutesAndSeconds) {
  EXPECT_EQ(format_expire(0), "00:00");
  EXPECT_EQ(format_expire(59), "00:59");
  EXPECT_EQ(format_expire(60), "01:00");
  EXPECT_EQ(format_expire(900), "15:00");
  EXPECT_EQ(format_expire(86400), "1440:00");
}

}  // namespace
}  // namespace vsd::cli

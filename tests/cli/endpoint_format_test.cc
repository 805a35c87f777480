// Behaviour matched: ipvsadm 1.31 ipvsadm.c, addrport_to_anyname(), addr_to_anyname(),
// port_to_anyname() (a 60-byte buffer; brackets around IPv6 hosts, names included).
#include "cli/endpoint_format.h"

#include <gtest/gtest.h>

#include <string>

#include "table_resolver.h"

namespace vsd::cli {
namespace {

using vsd::testing::TableResolver;

IpAddress ip(const std::string& text) {
  return *IpAddress::parse(text);
}

TEST(EndpointFormat, NumericForms) {
  const NameStyle n{.numeric = true, .resolver = nullptr};
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 80, 6, n), "10.0.0.1:80");
  EXPECT_EQ(format_endpoint(ip("2001:db8::1"), 443, 6, n), "[2001:db8::1]:443");
  EXPECT_EQ(format_endpoint(ip("::ffff:10.0.0.1"), 0, 17, n), "[::ffff:10.0.0.1]:0");
}

TEST(EndpointFormat, UnknownNamesFallBackToNumbers) {
  const TableResolver nobody;
  const NameStyle names{.numeric = false, .resolver = &nobody};
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 80, 6, names), "10.0.0.1:80");
  EXPECT_EQ(format_endpoint(ip("2001:db8::1"), 443, 6, names), "[2001:db8::1]:443");
  const NameStyle no_resolver{.numeric = false, .resolver = nullptr};
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 80, 6, no_resolver), "10.0.0.1:80");
}

TEST(EndpointFormat, PortNamesOnlyForTcpUdpSctp) {
  TableResolver names;
  names.service(80, "tcp", "http").service(53, "udp", "domain").service(3868, "sctp", "diameter");
  const NameStyle style{.numeric = false, .resolver = &names};
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 80, 6, style), "10.0.0.1:http");
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 80, 17, style), "10.0.0.1:80");
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 53, 17, style), "10.0.0.1:domain");
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 3868, 132, style), "10.0.0.1:diameter");
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 80, 0, style), "10.0.0.1:80");
}

TEST(EndpointFormat, Ipv6HostNamesKeepTheirBrackets) {
  TableResolver names;
  names.host("2001:db8::1", "ns.example.net");
  const NameStyle style{.numeric = false, .resolver = &names};
  EXPECT_EQ(format_endpoint(ip("2001:db8::1"), 53, 17, style), "[ns.example.net]:53");
}

TEST(EndpointFormat, LongNamesStopAtFiftyNineCharacters) {
  TableResolver names;
  const std::string host(70, 'h');
  names.host("10.0.0.1", host);
  const NameStyle style{.numeric = false, .resolver = &names};
  EXPECT_EQ(format_endpoint(ip("10.0.0.1"), 80, 6, style), std::string(59, 'h'));
  names.host("10.0.0.2", std::string(55, 'h'));
  EXPECT_EQ(format_endpoint(ip("10.0.0.2"), 8080, 6, style), std::string(55, 'h') + ":808");
}

// The system resolver reads this machine's /etc/services; only an entry every Linux system has
// is checked, and the test says so when it is missing.
TEST(SystemNameResolver, FindsWellKnownServiceNames) {
  const SystemNameResolver system;
  const auto http = system.service_name(80, "tcp");
  if (!http) GTEST_SKIP() << "no /etc/services entry for 80/tcp on this machine";
  EXPECT_EQ(*http, "http");
}

}  // namespace
}  // namespace vsd::cli

// Behaviour matched: ipvsadm 1.31 libipvs/libipvs.c, ipvs_cmp_services() and ipvs_cmp_dests()
// as sorted by glibc qsort (msort_with_tmp: top-down merge sort).
#include "cli/listing_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "cli/listing.h"
#include "common/random.h"
#include "row_builders.h"

namespace vsd::cli {
namespace {

using core::ForwardMethod;
using core::Protocol;
using vsd::testing::destination;
using vsd::testing::fwmark_service;
using vsd::testing::service;

std::vector<std::string> labels(const std::vector<ServiceRow>& rows) {
  std::vector<std::string> out;
  for (const ServiceRow* row : ipvsadm_service_order(rows))
    out.push_back(to_string(row->config.key));
  return out;
}

std::vector<std::string> destination_labels(const ServiceRow& row) {
  std::vector<std::string> out;
  for (const DestinationRow* d : ipvsadm_destination_order(row.destinations))
    out.push_back(to_string(d->config.endpoint()));
  return out;
}

TEST(ListingOrder, ServicesByFamilyProtocolAddressPortThenFirewallMarks) {
  const std::vector<ServiceRow> rows = {
      fwmark_service(2),
      service(Protocol::sctp, "10.0.0.1:80"),
      service(Protocol::tcp, "[2001:db8::1]:80"),
      fwmark_service(1, "wlc", AddressFamily::v6),
      service(Protocol::udp, "10.0.0.1:53"),
      service(Protocol::tcp, "10.0.0.2:80"),
      service(Protocol::tcp, "10.0.0.1:443"),
      service(Protocol::tcp, "10.0.0.1:80"),
      fwmark_service(1),
  };
  EXPECT_EQ(labels(rows), (std::vector<std::string>{
                              "TCP 10.0.0.1:80",
                              "TCP 10.0.0.1:443",
                              "TCP 10.0.0.2:80",
                              "UDP 10.0.0.1:53",
                              "SCTP 10.0.0.1:80",
                              "TCP [2001:db8::1]:80",
                              "FWM 1",
                              "FWM 1 IPv6",
                              "FWM 2",
                          }));
}

TEST(ListingOrder, DestinationsByAddressThenPort) {
  ServiceRow web = service(Protocol::tcp, "10.0.0.1:80");
  destination(web, "10.10.10.12:80", ForwardMethod::masq);
  destination(web, "10.10.10.11:8080", ForwardMethod::masq);
  destination(web, "10.10.10.11:80", ForwardMethod::masq);
  destination(web, "10.10.10.2:80", ForwardMethod::masq);
  EXPECT_EQ(destination_labels(web),
            (std::vector<std::string>{"10.10.10.2:80", "10.10.10.11:80", "10.10.10.11:8080",
                                      "10.10.10.12:80"}));
}

TEST(ListingOrder, Ipv6DestinationsCompareAllFourWords) {
  ServiceRow web = service(Protocol::tcp, "[2001:db8::1]:80");
  destination(web, "[2001:db8::1:0]:80");
  destination(web, "[2001:db8::2]:80");
  destination(web, "[2001:db8::1]:80");
  EXPECT_EQ(
      destination_labels(web),
      (std::vector<std::string>{"[2001:db8::1]:80", "[2001:db8::2]:80", "[2001:db8::1:0]:80"}));
}

// libipvs subtracts addresses as unsigned and keeps the int result: 10.0.0.1 - 192.168.0.1
// wraps to a positive number, so ipvsadm lists 192.168.0.1 first.
TEST(ListingOrder, AddressesFarApartSortTheWayIpvsadmsWrappedDifferenceDoes) {
  const std::vector<ServiceRow> rows = {service(Protocol::tcp, "10.0.0.1:80"),
                                        service(Protocol::tcp, "192.168.0.1:80")};
  EXPECT_EQ(labels(rows), (std::vector<std::string>{"TCP 192.168.0.1:80", "TCP 10.0.0.1:80"}));
  ServiceRow web = service(Protocol::tcp, "10.0.0.1:80");
  destination(web, "10.10.10.1:80");
  destination(web, "172.16.0.1:80");
  EXPECT_EQ(destination_labels(web), (std::vector<std::string>{"172.16.0.1:80", "10.10.10.1:80"}));
}

// 10.0.0.1 < 100.0.0.1 < 192.168.0.1 < 10.0.0.1 under that comparison: no total order, so the
// listing depends on the input order exactly as glibc's merge sort makes it.
TEST(ListingOrder, NonTransitiveCasesFollowGlibcMergeSort) {
  const ServiceRow a = service(Protocol::tcp, "10.0.0.1:80");
  const ServiceRow b = service(Protocol::tcp, "192.168.0.1:80");
  const ServiceRow c = service(Protocol::tcp, "100.0.0.1:80");
  EXPECT_EQ(labels({a, b, c}), (std::vector<std::string>{"TCP 10.0.0.1:80", "TCP 100.0.0.1:80",
                                                         "TCP 192.168.0.1:80"}));
  EXPECT_EQ(labels({b, a, c}), (std::vector<std::string>{"TCP 192.168.0.1:80", "TCP 10.0.0.1:80",
                                                         "TCP 100.0.0.1:80"}));
}

TEST(ListingOrder, EqualKeysKeepTheirInputOrder) {
  ServiceRow web = service(Protocol::tcp, "10.0.0.1:80");
  destination(web, "10.10.10.1:80").config.weight = 1;
  destination(web, "10.10.10.1:80").config.weight = 2;
  destination(web, "10.10.10.1:80").config.weight = 3;
  const auto order = ipvsadm_destination_order(web.destinations);
  ASSERT_EQ(order.size(), 3u);
  EXPECT_EQ(order[0]->config.weight, 1);
  EXPECT_EQ(order[1]->config.weight, 2);
  EXPECT_EQ(order[2]->config.weight, 3);
}

TEST(ListingOrder, SortedOutputContainsEveryRowOnce) {
  SplitMix64 random(7);
  ServiceRow web = service(Protocol::tcp, "10.0.0.1:80");
  for (int i = 0; i < 200; ++i) {
    const uint32_t address = static_cast<uint32_t>(random.next());
    cli::DestinationRow& d = destination(web, "1.1.1.1:80");
    d.config.address = IpAddress::v4(address);
    d.config.port = static_cast<uint16_t>(random.below(4));
  }
  const auto order = ipvsadm_destination_order(web.destinations);
  std::vector<const DestinationRow*> seen(order.begin(), order.end());
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  EXPECT_EQ(seen.size(), web.destinations.size());
}

}  // namespace
}  // namespace vsd::cli

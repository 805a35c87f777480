#include "common/address.h"

#include <gtest/gtest.h>

namespace vsd {
namespace {

TEST(IpAddress, ParsesAndPrintsBothFamilies) {
  auto v4 = IpAddress::parse("192.168.2.11");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_v4());
  EXPECT_EQ(v4->v4_host_order(), 0xc0a8020bu);
  EXPECT_EQ(v4->to_string(), "192.168.2.11");
  auto v6 = IpAddress::parse("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->is_v6());
  EXPECT_EQ(v6->to_string(), "2001:db8::1");
  EXPECT_FALSE(IpAddress::parse("300.1.1.1"));
  EXPECT_FALSE(IpAddress::parse(""));
  EXPECT_FALSE(IpAddress::parse("1.2.3.4 "));
}

TEST(IpAddress, MaskingKeepsThePrefix) {
  EXPECT_EQ(IpAddress::parse("10.1.2.3")->masked(24), *IpAddress::parse("10.1.2.0"));
  EXPECT_EQ(IpAddress::parse("10.1.2.3")->masked(32), *IpAddress::parse("10.1.2.3"));
  EXPECT_EQ(IpAddress::parse("10.1.2.3")->masked(0), *IpAddress::parse("0.0.0.0"));
  EXPECT_EQ(IpAddress::parse("2001:db8:1:2::5")->masked(64), *IpAddress::parse("2001:db8:1:2::"));
  EXPECT_EQ(IpAddress::parse("2001:db8:ffff::")->masked(36), *IpAddress::parse("2001:db8:f000::"));
}

TEST(IpAddress, FamiliesNeverCompareEqual) {
  EXPECT_NE(*IpAddress::parse("0.0.0.0"), *IpAddress::parse("::"));
  EXPECT_LT(*IpAddress::parse("10.0.0.1"), *IpAddress::parse("10.0.0.2"));
}

TEST(Endpoint, ParsesIpvsadmForms) {
  auto a = parse_endpoint("10.0.0.1:80");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->port, 80);
  auto b = parse_endpoint("[2001:db8::1]:443");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->address.to_string(), "2001:db8::1");
  EXPECT_EQ(to_string(*b), "[2001:db8::1]:443");
  EXPECT_FALSE(parse_endpoint("10.0.0.1"));
  EXPECT_FALSE(parse_endpoint("10.0.0.1:65536"));
  EXPECT_FALSE(parse_endpoint("2001:db8::1:80"));
  EXPECT_FALSE(parse_endpoint("[2001:db8::1]80"));
}

TEST(Netmask, ConvertsContiguousMasksOnly) {
  EXPECT_EQ(netmask_to_prefix("255.255.255.0"), 24u);
  EXPECT_EQ(netmask_to_prefix("255.255.255.255"), 32u);
  EXPECT_EQ(netmask_to_prefix("0.0.0.0"), 0u);
  EXPECT_FALSE(netmask_to_prefix("255.0.255.0"));
  EXPECT_EQ(prefix_to_netmask(20), "255.255.240.0");
}

}  // namespace
}  // namespace vsd

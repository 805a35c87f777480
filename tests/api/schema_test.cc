#include "api/schema.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace vsd::api {
namespace {

TEST(Schema, ServiceConfigRoundTrips) {
  core::ServiceConfig c;
  c.key =
      core::ServiceKey::virtual_address(core::Protocol::udp, *IpAddress::parse("2001:db8::1"), 53);
  c.scheduler = "sh";
  c.flags = core::service_flag::persistent | core::service_flag::sched1;
  c.persistence_timeout_s = 600;
  c.persistence_prefix = 64;
  auto back = service_config_from_json(to_json(c));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, c);

  core::ServiceConfig fwm;
  fwm.key = core::ServiceKey::firewall_mark(9, AddressFamily::v6);
  fwm.persistence_prefix = 128;
  auto fwm_back = service_config_from_json(to_json(fwm));
  ASSERT_TRUE(fwm_back.ok());
  EXPECT_EQ(*fwm_back, fwm);
}

TEST(Schema, DestinationConfigRoundTrips) {
  core::DestinationConfig d;
  d.address = *IpAddress::parse("10.0.0.7");
  d.port = 8080;
  d.method = core::ForwardMethod::masq;
  d.weight = 5;
  d.upper_threshold = 100;
  d.lower_threshold = 10;
  auto back = destination_config_from_json(to_json(d));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, d);
}

TEST(Schema, StatusRoundTripsWithCounters) {
  ServiceStatus s;
  s.config.key =
      core::ServiceKey::virtual_address(core::Protocol::tcp, *IpAddress::parse("1.2.3.4"), 80);
  s.stats = {1, 2, 3, 4, 5};
  s.rates = {6, 7, 8, 9, 10};
  DestinationStatus d;
  d.config.address = *IpAddress::parse("10.0.0.1");
  d.config.port = 80;
  d.active_connections = 11;
  d.inactive_connections = 12;
  d.persistent_connections = 13;
  d.stats = {14, 15, 16, 17, 18};
  s.destinations.push_back(d);
  auto back = service_status_from_json(to_json(s));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stats, s.stats);
  EXPECT_EQ(back->rates, s.rates);
  ASSERT_EQ(back->destinations.size(), 1u);
  EXPECT_EQ(back->destinations[0].inactive_connections, 12u);
  EXPECT_EQ(back->destinations[0].stats, d.stats);
}

TEST(Schema, BadFieldsAreNamed) {
  auto r = service_key_from_json({{"protocol", "tcp"}, {"address", "1.2.3"}, {"port", 80}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EINVAL);
  EXPECT_EQ(r.error().message, "bad field 'address': '1.2.3' is not an IP address");
  EXPECT_FALSE(
      service_key_from_json({{"protocol", "icmp"}, {"address", "1.2.3.4"}, {"port", 1}}).ok());
  EXPECT_FALSE(
      service_key_from_json({{"protocol", "tcp"}, {"address", "1.2.3.4"}, {"port", 70000}}).ok());
  EXPECT_FALSE(service_key_from_json({{"fwmark", 0}}).ok());
  auto port = service_key_from_json({{"protocol", "tcp"}, {"address", "1.2.3.4"}, {"port", 70000}});
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().message, "bad field 'port': 70000 is out of range");
  EXPECT_FALSE(
      service_key_from_json({{"protocol", "tcp"}, {"address", "1.2.3.4"}, {"port", -1}}).ok());
}

TEST(Schema, NumbersBuiltInCodeAndParsedFromTextAreRead) {
  // 80 written in C++ is a signed JSON number; parsed from text it is unsigned. Both are 80.
  auto built = service_key_from_json({{"protocol", "udp"}, {"address", "1.2.3.4"}, {"port", 80}});
  ASSERT_TRUE(built.ok()) << built.error().message;
  auto parsed = service_key_from_json(
      Json::parse(R"({"protocol": "udp", "address": "1.2.3.4", "port": 80})"));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*built, *parsed);
  EXPECT_EQ(built->port, 80);
  EXPECT_FALSE(
      destination_config_from_json({{"address", "1.2.3.4"}, {"port", 1}, {"method", "warp"}}).ok());
}

}  // namespace
}  // namespace vsd::api

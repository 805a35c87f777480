// VRRP blocks as keepalived.conf(5) describes them ("VRRP instance(s)", "VRRP script(s)",
// "VRRP synchronization group(s)"); defaults from keepalived's vrrp/vrrp_data.c.
#include "config/vrrp_parser.h"

#include <gtest/gtest.h>

#include "config/parser.h"

namespace vsd::config {
namespace {

std::optional<Configuration> parse(const std::string& text, Diagnostics& d) {
  return parse_text(text, "v.conf", LexOptions{"lb1"}, d);
}

TEST(VrrpParser, ReadsAnInstanceWithKeepalivedsKeywordsAndDefaults) {
  Diagnostics d;
  auto c = parse(R"(vrrp_script chk_nginx {
  script "/usr/bin/pgrep -x nginx"
  interval 2
  weight -20
  fall 3
  rise 2
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 0.5
  version 3
  nopreempt
  authentication {
    auth_type PASS
    auth_pass 123456789
  }
  virtual_ipaddress {
    192.168.200.16
    192.168.200.17/24 dev eth1 label eth1:1
    2001:db8::10/64
  }
  unicast_src_ip 10.0.0.1
  unicast_peer {
    10.0.0.2
  }
  track_script {
    chk_nginx weight -30
  }
  notify_master "/etc/keepalived/master.sh VI_1"
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
  notify_backup /bin/true
}
)",
                 d);
  ASSERT_TRUE(c) << d.errors()[0];
  ASSERT_EQ(c->vrrp_instances.size(), 2u);
  const auto& v = c->vrrp_instances[0];
  EXPECT_TRUE(v.initial_master);
  EXPECT_EQ(v.interface, "eth0");
  EXPECT_EQ(v.virtual_router_id, 51u);
  EXPECT_EQ(v.priority, 150u);
  EXPECT_EQ(v.advert_interval_us, 500'000);
  EXPECT_EQ(v.version, 3u);
  EXPECT_FALSE(v.preempt);
  EXPECT_EQ(v.auth_pass, "12345678");
  ASSERT_EQ(v.virtual_addresses.size(), 3u);
  EXPECT_EQ(v.virtual_addresses[1].prefix, 24u);
  EXPECT_EQ(v.virtual_addresses[1].device, "eth1");
  EXPECT_EQ(v.virtual_addresses[1].label, "eth1:1");
  EXPECT_TRUE(v.virtual_addresses[2].address.is_v6());
  EXPECT_EQ(v.unicast_source->to_string(), "10.0.0.1");
  ASSERT_EQ(v.unicast_peers.size(), 1u);
  ASSERT_EQ(v.track_scripts.size(), 1u);
  EXPECT_EQ(v.track_scripts[0].weight, -30);
  EXPECT_EQ(v.notify.master, "/etc/keepalived/master.sh VI_1");
  const auto& defaults = c->vrrp_instances[1];
  EXPECT_FALSE(defaults.initial_master);
  EXPECT_EQ(defaults.priority, 100u);
  EXPECT_EQ(defaults.advert_interval_us, 1'000'000);
  EXPECT_EQ(defaults.version, 2u);
  EXPECT_TRUE(defaults.preempt);
  EXPECT_EQ(defaults.garp_master_delay_us, 5'000'000);
  EXPECT_EQ(defaults.garp_master_repeat, 5u);
  ASSERT_EQ(c->vrrp_scripts.size(), 1u);
  EXPECT_EQ(c->vrrp_scripts[0].script, "/usr/bin/pgrep -x nginx");
  EXPECT_EQ(c->vrrp_scripts[0].weight, -20);
  EXPECT_EQ(c->vrrp_scripts[0].fall, 3u);
  ASSERT_EQ(c->vrrp_sync_groups.size(), 1u);
  EXPECT_EQ(c->vrrp_sync_groups[0].instances, (std::vector<std::string>{"VI_1", "VI_2"}));
  ASSERT_EQ(d.warnings().size(), 2u);
  EXPECT_EQ(d.warnings()[0],
            "v.conf:18: auth_pass is longer than 8 characters; only the first 8 are used");
  EXPECT_EQ(d.warnings()[1], "v.conf:8: VRRPv3 has no authentication; auth_type is ignored");
}

struct Bad {
  const char* text;
  const char* error;
};

TEST(VrrpParser, EachErrorNamesItsLine) {
  const Bad cases[] = {
      {"vrrp_instance A {\n  interface eth0\n}\n",
       "v.conf:1: vrrp_instance A has no virtual_router_id"},
      {"vrrp_instance A {\n  virtual_router_id 256\n}\n",
       "v.conf:2: 'virtual_router_id': 256 is outside 1..255"},
      {"vrrp_instance A {\n  virtual_router_id 1\n  state LEADER\n}\n",
       "v.conf:3: state must be MASTER or BACKUP, not 'LEADER'"},
      {"vrrp_instance A {\n  virtual_router_id 1\n  priority 0\n}\n",
       "v.conf:3: 'priority': 0 is outside 1..255"},
      {"vrrp_instance A {\n  virtual_router_id 1\n  virtual_ipaddress {\n    10.0.0.300\n  }\n}\n",
       "v.conf:4: '10.0.0.300' is not an IP address"},
      {"vrrp_instance A {\n  virtual_router_id 1\n  virtual_ipaddress {\n    10.0.0.1/33\n  }\n}\n",
       "v.conf:4: prefix /33 is too long for 10.0.0.1"},
      {"vrrp_instance A {\n  virtual_router_id 1\n  advert_int 300\n}\n",
       "v.conf:3: advert_int must be between 0.01 and 255 seconds"},
      {"vrrp_instance A {\n  interface eth0\n  virtual_router_id 7\n}\n"
       "vrrp_instance B {\n  interface eth0\n  virtual_router_id 7\n}\n",
       "v.conf:5: virtual_router_id 7 on eth0 is already used by A"},
      {"vrrp_instance A {\n  virtual_router_id 7\n}\nvrrp_sync_group G {\n  group {\n    A\n    "
       "Z\n  }\n}\n",
       "v.conf:4: vrrp_sync_group G: no vrrp_instance named Z"},
  };
  for (const auto& c : cases) {
    Diagnostics d;
    EXPECT_FALSE(parse(c.text, d)) << c.text;
    ASSERT_FALSE(d.errors().empty()) << c.text;
    EXPECT_EQ(d.errors()[0], c.error);
  }
}

TEST(VrrpParser, AnUnknownTrackedScriptIsAWarningAsInKeepalived) {
  Diagnostics d;
  auto c =
      parse("vrrp_instance A {\n  virtual_router_id 1\n  track_script {\n    nope\n  }\n}\n", d);
  ASSERT_TRUE(c);
  ASSERT_EQ(d.warnings().size(), 1u);
  EXPECT_EQ(d.warnings()[0], "v.conf:1: track_script nope is not a defined vrrp_script; ignored");
}

TEST(VrrpParser, EmptyScriptsAndGroupsAreDroppedWithAWarningAsInKeepalived) {
  Diagnostics d;
  auto c = parse("vrrp_script s {\n  interval 2\n}\nvrrp_sync_group G {\n  VI_1\n}\n", d);
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->vrrp_scripts.empty());
  EXPECT_TRUE(c->vrrp_sync_groups.empty());
  ASSERT_EQ(d.warnings().size(), 3u);
  EXPECT_EQ(d.warnings()[0], "v.conf:1: vrrp_script s has no script; ignored");
  EXPECT_EQ(d.warnings()[1], "v.conf:5: unknown keyword 'VI_1' in vrrp_sync_group");
  EXPECT_EQ(d.warnings()[2], "v.conf:4: vrrp_sync_group G has no group { } members; ignored");
}

}  // namespace
}  // namespace vsd::config

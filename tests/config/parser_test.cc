// Grammar matched: keepalived.conf(5) LVS CONFIGURATION; defaults from keepalived's
// check/check_parser.c (NAT when no method is set, persistence_timeout 360 s when given alone).
#include "config/parser.h"

#include <gtest/gtest.h>

#include "sched/catalog.h"

namespace vsd::config {
namespace {

const char* kSample = R"(! Configuration File for keepalived
global_defs {
   notification_email {
     admin@example.com
   }
   notification_email_from lb@example.com
   smtp_server 127.0.0.1 25
   router_id LVS_DEVEL
   lvs_timeouts tcp 7200 tcpfin 120 udp 300
   lvs_sync_daemon eth0 VI_1 id 51 maxlen 1472
}

vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 150
    virtual_ipaddress {
        192.168.200.16
    }
}

virtual_server 192.168.200.100 443 {
    delay_loop 6
    lb_algo rr
    lb_kind NAT
    persistence_timeout 50
    protocol TCP

    real_server 192.168.201.100 443 {
        weight 1
        SSL_GET {
            url {
              path /
              digest ff20ad2481f97b1754ef3e12ecd3a9cc
            }
            connect_timeout 3
            retry 3
            delay_before_retry 3
        }
    }
}

virtual_server fwmark 7 {
    lvs_sched wlc
    lvs_method DR
    persistence_timeout
    persistence_granularity 255.255.255.0
    real_server 10.0.0.1 { weight 3 }
    real_server 10.0.0.2 {
        weight 0
        lvs_method TUN
        uthreshold 100
        lthreshold 50
        inhibit_on_failure
        TCP_CHECK { connect_port 80 }
    }
}
)";

TEST(Parser, ReadsTheLvsPartOfAKeepalivedFile) {
  Diagnostics d;
  auto config = parse_text(kSample, "keepalived.conf", LexOptions{"lb1"}, d);
  ASSERT_TRUE(config) << (d.errors().empty() ? "" : d.errors()[0]);
  EXPECT_TRUE(d.warnings().empty()) << d.warnings()[0];
  EXPECT_EQ(config->global.router_id, "LVS_DEVEL");
  EXPECT_EQ(config->global.lvs_timeouts.tcp, 7200u);
  EXPECT_EQ(config->global.lvs_timeouts.tcpfin, 120u);
  ASSERT_TRUE(config->global.lvs_sync_daemon);
  EXPECT_EQ(config->global.lvs_sync_daemon->instance, "VI_1");
  EXPECT_EQ(config->global.lvs_sync_daemon->sync_id, 51u);
  ASSERT_EQ(config->vrrp_instances.size(), 1u);
  EXPECT_EQ(config->vrrp_instances[0].name, "VI_1");

  ASSERT_EQ(config->virtual_servers.size(), 2u);
  const auto& https = config->virtual_servers[0];
  EXPECT_EQ(core::to_string(https.service.key), "TCP 192.168.200.100:443");
  EXPECT_EQ(https.service.scheduler, "rr");
  EXPECT_TRUE(https.service.persistent());
  EXPECT_EQ(https.service.persistence_timeout_s, 50u);
  EXPECT_EQ(https.delay_loop_us, 6'000'000);
  ASSERT_EQ(https.real_servers.size(), 1u);
  EXPECT_EQ(https.real_servers[0].destination.method, core::ForwardMethod::masq);
  ASSERT_EQ(https.real_servers[0].checkers.size(), 1u);
  EXPECT_EQ(https.real_servers[0].checkers[0].type, "SSL_GET");

  const auto& fwm = config->virtual_servers[1];
  EXPECT_EQ(fwm.service.key.fwmark, 7u);
  EXPECT_EQ(fwm.service.scheduler, "wlc");
  EXPECT_EQ(fwm.service.persistence_timeout_s, 360u);
  EXPECT_EQ(fwm.service.persistence_prefix, 24u);
  ASSERT_EQ(fwm.real_servers.size(), 2u);
  EXPECT_EQ(fwm.real_servers[0].destination.weight, 3);
  EXPECT_EQ(fwm.real_servers[0].destination.method, core::ForwardMethod::route);
  EXPECT_EQ(fwm.real_servers[1].destination.method, core::ForwardMethod::tunnel);
  EXPECT_EQ(fwm.real_servers[1].destination.upper_threshold, 100u);
  EXPECT_TRUE(fwm.real_servers[1].inhibit_on_failure);

  auto changes = to_changes(*config, sched::catalog(), d);
  ASSERT_TRUE(changes) << d.errors()[0];
  EXPECT_EQ(changes->size(), 5u);  // 2 services, 3 real servers
}

struct BadInput {
  const char* text;
  const char* error;
};

TEST(Parser, EachErrorNamesFileAndLine) {
  const BadInput cases[] = {
      {"virtual_server 10.0.0.1 80 {\n  lb_algo rr\n",
       "t.conf:1: block 'virtual_server' is never closed"},
      {"}\n", "t.conf:1: '}' without a block to close"},
      {"virtual_server 10.0.0.1 99999 {\n}\n",
       "t.conf:1: 'virtual_server': 99999 is outside 0..65535"},
      {"virtual_server 10.0.0.1 80 {\n  lb_kind XYZ\n}\n",
       "t.conf:2: unknown forwarding method 'XYZ' (NAT, DR, TUN or FNAT)"},
      {"virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.300 80 {\n  }\n}\n",
       "t.conf:2: 'real_server': '10.0.0.300' is not an IP address"},
      {"virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.3 80 {\n    weight 70000\n  }\n}\n",
       "t.conf:3: 'weight': 70000 is outside 0..65535"},
      {"virtual_server group NOPE {\n}\n", "t.conf:1: virtual_server group 'NOPE' is not defined"},
      {"global_defs {\n  lvs_timeouts tcp x\n}\n", "t.conf:2: 'lvs_timeouts': 'x' is not a number"},
  };
  for (const auto& c : cases) {
    Diagnostics d;
    EXPECT_FALSE(parse_text(c.text, "t.conf", LexOptions{"lb1"}, d)) << c.text;
    ASSERT_FALSE(d.errors().empty()) << c.text;
    EXPECT_EQ(d.errors()[0], c.error);
  }
}

TEST(Parser, ModelRulesAreReportedAtTheirLine) {
  Diagnostics d;
  auto config = parse_text(
      "virtual_server 10.0.0.1 80 {\n  lb_algo best\n  real_server 10.0.0.2 80 {\n  }\n}\n"
      "virtual_server 10.0.0.1 80 {\n  lb_algo rr\n}\n",
      "m.conf", LexOptions{"lb1"}, d);
  ASSERT_TRUE(config);
  EXPECT_FALSE(to_changes(*config, sched::catalog(), d));
  ASSERT_EQ(d.errors().size(), 3u);
  EXPECT_EQ(d.errors()[0], "m.conf:1: TCP 10.0.0.1:80: unknown scheduler 'best'");
  EXPECT_EQ(d.errors()[1], "m.conf:3: TCP 10.0.0.1:80: no such service");
  EXPECT_EQ(d.errors()[2], "m.conf:6: TCP 10.0.0.1:80: service already defined at m.conf:1");
}

TEST(Parser, UnknownKeywordsAreWarningsAsInKeepalived) {
  Diagnostics d;
  auto config = parse_text(
      "frobnicate 1\nvirtual_server 10.0.0.1 80 {\n  lb_algo rr\n"
      "  lb_kind DR\n  wibble\n}\n",
      "w.conf", LexOptions{"lb1"}, d);
  ASSERT_TRUE(config);
  ASSERT_EQ(d.warnings().size(), 2u);
  EXPECT_EQ(d.warnings()[0], "w.conf:1: unknown keyword 'frobnicate'");
  EXPECT_EQ(d.warnings()[1], "w.conf:5: unknown keyword 'wibble' in virtual_server");
}

TEST(Parser, GroupsExpandToOneServicePerMember) {
  Diagnostics d;
  auto config = parse_text(
      "virtual_server_group web {\n  192.168.2.10-12 80\n  fwmark 5\n}\n"
      "virtual_server group web {\n  lb_algo rr\n  lb_kind DR\n  real_server 10.0.0.2 80 {\n"
      "  }\n}\n",
      "g.conf", LexOptions{"lb1"}, d);
  ASSERT_TRUE(config) << d.errors()[0];
  auto changes = to_changes(*config, sched::catalog(), d);
  ASSERT_TRUE(changes) << d.errors()[0];
  EXPECT_EQ(changes->size(), 8u);  // 4 services (3 addresses + fwmark), one real server each
}

TEST(Parser, DirectRoutingKeepsTheServicePortAndSaysSo) {
  Diagnostics d;
  auto config = parse_text(
      "virtual_server 10.0.0.1 80 {\n  lb_kind DR\n  real_server 10.0.0.2 8080 {\n  }\n"
      "  real_server 10.0.0.3 {\n  }\n}\n",
      "dr.conf", LexOptions{"lb1"}, d);
  ASSERT_TRUE(config);
  auto changes = to_changes(*config, sched::catalog(), d);
  ASSERT_TRUE(changes);
  ASSERT_EQ(d.warnings().size(), 1u);
  EXPECT_EQ(d.warnings()[0], "dr.conf:3: Route cannot change the port: real server uses 80");
  EXPECT_EQ(std::get<core::AddDestination>((*changes)[1]).config.port, 80);
  EXPECT_EQ(std::get<core::AddDestination>((*changes)[2]).config.port, 80);
}

}  // namespace
}  // namespace vsd::config

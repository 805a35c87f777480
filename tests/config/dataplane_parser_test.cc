// Behaviour matched: vsd's own dataplane block (docs/vsd.conf.5); keepalived has no equivalent
// and ignores it with a warning (keepalived/core/global_parser.c: unknown keywords).
#include "config/dataplane_parser.h"

#include <gtest/gtest.h>

#include "config/parser.h"

namespace vsd::config {
namespace {

std::optional<Configuration> parse(const std::string& text, Diagnostics& d) {
  return parse_text(text, "vsd.conf", LexOptions{}, d);
}

TEST(DataplaneBlock, EveryKeyword) {
  Diagnostics d;
  auto c = parse(R"(
dataplane {
    backend pcap
    workers 2
    interface eth0 {
        mac 02:00:00:00:00:01
        mtu 9000
        address 192.168.2.1/24 2001:db8:2::1/64
    }
    interface eth1
    route 0.0.0.0/0 via 192.168.2.254 dev eth0
    route 10.20.0.0/16 dev eth1
    neighbour 192.168.2.254 02:00:00:00:fe:fe dev eth0
    fullnat_local_address 10.10.10.100 10.10.10.101
    fullnat_port_range 2000 3000
    fragment_timeout 0.5
    checksum_verify off
    kernel_routes off
    conn_reuse_mode 2
    expire_nodest_conn
    expire_quiescent_template on
}
)",
                 d);
  ASSERT_TRUE(c) << (d.errors().empty() ? "" : d.errors()[0]);
  ASSERT_TRUE(c->dataplane);
  const DataplaneConfig& p = *c->dataplane;
  EXPECT_EQ(p.backend, "pcap");
  EXPECT_EQ(p.workers, 2u);
  ASSERT_EQ(p.interfaces.size(), 2u);
  EXPECT_EQ(p.interfaces[0].name, "eth0");
  EXPECT_EQ(*p.interfaces[0].mac, (std::array<uint8_t, 6>{2, 0, 0, 0, 0, 1}));
  EXPECT_EQ(*p.interfaces[0].mtu, 9000u);
  ASSERT_EQ(p.interfaces[0].addresses.size(), 2u);
  EXPECT_EQ(p.interfaces[0].addresses[1].address, *IpAddress::parse("2001:db8:2::1"));
  EXPECT_EQ(p.interfaces[0].addresses[1].prefix_length, 64u);
  EXPECT_FALSE(p.interfaces[1].mac);
  ASSERT_EQ(p.routes.size(), 2u);
  EXPECT_EQ(p.routes[0].prefix_length, 0u);
  EXPECT_EQ(*p.routes[0].via, *IpAddress::parse("192.168.2.254"));
  EXPECT_FALSE(p.routes[1].via);
  EXPECT_EQ(p.routes[1].device, "eth1");
  ASSERT_EQ(p.neighbours.size(), 1u);
  EXPECT_EQ(p.neighbours[0].mac[4], 0xfe);
  EXPECT_EQ(p.fullnat_local_addresses.size(), 2u);
  EXPECT_EQ(p.fullnat_first_port, 2000);
  EXPECT_EQ(p.fullnat_last_port, 3000);
  EXPECT_EQ(p.fragment_timeout_ms, 500u);
  EXPECT_FALSE(p.checksum_verify);
  EXPECT_FALSE(p.kernel_routes);
  EXPECT_EQ(p.conn_reuse_mode, 2u);
  EXPECT_TRUE(p.expire_nodest_conn);
  EXPECT_TRUE(p.expire_quiescent_template);
}

// Documentation/networking/ipvs-sysctl.rst: conn_reuse_mode 1, expire_nodest_conn 0,
// expire_quiescent_template 0.
TEST(DataplaneBlock, ConnectionReuseDefaultsAreTheKernels) {
  Diagnostics d;
  auto c = parse("dataplane {\n interface eth0\n}\n", d);
  ASSERT_TRUE(c && c->dataplane);
  EXPECT_EQ(c->dataplane->conn_reuse_mode, 1u);
  EXPECT_FALSE(c->dataplane->expire_nodest_conn);
  EXPECT_FALSE(c->dataplane->expire_quiescent_template);
  auto off = parse("dataplane {\n interface eth0\n conn_reuse_mode 0\n}\n", d);
  ASSERT_TRUE(off && off->dataplane);
  EXPECT_EQ(off->dataplane->conn_reuse_mode, 0u);
}

TEST(DataplaneBlock, AbsentMeansControlPlaneOnly) {
  Diagnostics d;
  auto c = parse("global_defs {\n router_id lb1\n}\n", d);
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->dataplane);
}

TEST(DataplaneBlock, MistakesAreLocated) {
  const char* bad[] = {
      "dataplane {\n backend dpdk\n interface eth0\n}\n",
      "dataplane {\n workers 0\n interface eth0\n}\n",
      "dataplane {\n interface eth0\n route 10.0.0.0/33 dev eth0\n}\n",
      "dataplane {\n interface eth0\n route 10.0.0.0/8 dev eth9\n}\n",
      "dataplane {\n interface eth0\n route 10.0.0.0/8 via 2001:db8::1 dev eth0\n}\n",
      "dataplane {\n interface eth0\n neighbour 10.0.0.1 02:00:00:00:00 dev eth0\n}\n",
      "dataplane {\n interface eth0\n fullnat_port_range 3000 2000\n}\n",
      "dataplane {\n interface eth0 {\n mtu 10\n }\n}\n",
      "dataplane {\n backend pcap\n}\n",
      "dataplane {\n interface eth0\n colour blue\n}\n",
      "dataplane {\n interface eth0\n conn_reuse_mode 4\n}\n",
      "dataplane {\n interface eth0\n expire_nodest_conn maybe\n}\n",
  };
  for (const char* text : bad) {
    Diagnostics d;
    EXPECT_FALSE(parse(text, d)) << text;
    ASSERT_FALSE(d.errors().empty()) << text;
    EXPECT_EQ(d.errors()[0].rfind("vsd.conf:", 0), 0u) << d.errors()[0];
  }
}

TEST(DataplaneBlock, MacAddresses) {
  EXPECT_EQ(*parse_mac("aa:BB:0c:00:01:ff"),
            (std::array<uint8_t, 6>{0xaa, 0xbb, 0x0c, 0, 1, 0xff}));
  EXPECT_TRUE(parse_mac("aa-bb-0c-00-01-ff"));
  EXPECT_FALSE(parse_mac("aa:bb:0c:00:01"));
  EXPECT_FALSE(parse_mac("aa:bb:0c:00:01:ff:00"));
  EXPECT_FALSE(parse_mac("aa:bb:0c:00:01:fg"));
}

}  // namespace
}  // namespace vsd::config

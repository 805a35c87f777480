// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c ip_vs_in (a SYN that finds an entry in
// TIME_WAIT or CLOSE, or with conn_reuse_mode bit 2 in FIN_WAIT without replies, expires it
// with ip_vs_conn_expire_now and is scheduled afresh; conn_reuse_mode 0 keeps the old real
// server; with expire_nodest_conn a SYN over a quiesced real server is rescheduled and any
// packet of a connection whose real server left the service expires it),
// Documentation/networking/ipvs-sysctl.rst (conn_reuse_mode, expire_nodest_conn).
//
// Frames as in forwarding_test.cc: the client behind the router on eth0, the real servers on
// eth1, replies of NAT connections through the director.
#include <gtest/gtest.h>

#include <array>
#include <map>

#include "dataplane/pipeline_lab.h"

namespace vsd::dataplane {
namespace {

using namespace testing;
using core::ForwardMethod;
using core::Protocol;

constexpr uint8_t kSyn = 0x02;
constexpr uint8_t kSynAck = 0x12;
constexpr uint8_t kAck = 0x10;
constexpr uint8_t kFinAck = 0x11;
constexpr uint8_t kRst = 0x04;

const packet::MacAddress kServer13 = mac(0x13, 0x01);

DataplaneSettings settings_with(conn::ReuseRules rules) {
  DataplaneSettings s = lab_settings();
  s.neighbours.push_back({ip("10.10.10.13"), kServer13, 1});
  s.reuse = rules;
  return s;
}

class ConnectionReuse : public ::testing::Test {
 protected:
  explicit ConnectionReuse(conn::ReuseRules rules = {}) : lab(settings_with(rules)) {}

  // rr over real servers 10.10.10.11, .12 (and .13) with one forwarding method.
  void make_service(ForwardMethod method, int servers = 2) {
    service = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80, "rr");
    port = core::keeps_port(method) ? 80 : 8080;
    for (int i = 0; i < servers; ++i) lab.lab.add_destination(service, kServers[i], port, method);
  }
  core::RealServer* server(int i) { return lab.lab.destination(service, kServers[i], port); }

  FrameSpec from_client(uint16_t client_port, uint8_t flags) const {
    FrameSpec s;
    s.link_source = kRouter;
    s.link_destination = kEth0;
    s.source_port = client_port;
    s.tcp_flags = flags;
    return s;
  }
  FrameSpec from_server(int i, uint16_t client_port, uint8_t flags) const {
    FrameSpec s;
    s.link_source = kMacs[i];
    s.link_destination = kEth1;
    s.source = kServers[i];
    s.source_port = port;
    s.destination = "203.0.113.5";
    s.destination_port = client_port;
    s.tcp_flags = flags;
    return s;
  }
  // The real server (0, 1, 2) a client packet was sent to, or -1 when it was not sent to one.
  int sent_to(const FrameSpec& s) {
    now += 0.001;
    const auto r = lab.run(frame(s), now);
    if (r.outcome.verdict != Verdict::transmit) return -1;
    const auto link = packet::MacAddress::from(r.out.data());
    for (int i = 0; i < 3; ++i)
      if (link == kMacs[i]) return i;
    return -1;
  }
  void reply(int i, uint16_t client_port, uint8_t flags) {
    now += 0.001;
    const auto r = lab.run(frame(from_server(i, client_port, flags)), now);
    ASSERT_EQ(r.outcome.reason, Counter::forwarded_nat_reply);
  }
  // A NAT connection opened and closed by both sides: the director saw it all, TIME_WAIT.
  int short_nat_connection(uint16_t client_port) {
    const int s = sent_to(from_client(client_port, kSyn));
    if (s < 0) return s;
    reply(s, client_port, kSynAck);
    EXPECT_EQ(sent_to(from_client(client_port, kAck)), s);
    EXPECT_EQ(sent_to(from_client(client_port, kFinAck)), s);
    reply(s, client_port, kFinAck);
    EXPECT_EQ(sent_to(from_client(client_port, kAck)), s);
    return s;
  }
  std::string state_of(uint16_t client_port) {
    conn::Connection c = lab.lab.table.lookup(
        conn::InboundKey{Protocol::tcp, ip("203.0.113.5"), client_port, ip("192.168.2.11"), 80},
        at(now));
    return c ? std::string(c.state_name()) : "none";
  }

  static constexpr std::array<const char*, 3> kServers = {"10.10.10.11", "10.10.10.12",
                                                          "10.10.10.13"};
  static inline const std::array<packet::MacAddress, 3> kMacs = {kServer11, kServer12, kServer13};
  PipelineLab lab;
  core::ServiceKey service;
  uint16_t port = 80;
  double now = 1.0;
};

TEST_F(ConnectionReuse, SynOverTimeWaitGoesToTheNextServerAndTheCountsFollow) {
  make_service(ForwardMethod::masq);
  ASSERT_EQ(short_nat_connection(40000), 0);
  ASSERT_EQ(state_of(40000), "TIME_WAIT");
  EXPECT_EQ(server(0)->inactive_connections(), 1u);

  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 1);
  // The old entry went at once (ipvsadm: 0 0 on .11), the new one is active on .12.
  EXPECT_EQ(server(0)->active_connections(), 0u);
  EXPECT_EQ(server(0)->inactive_connections(), 0u);
  EXPECT_EQ(server(1)->active_connections(), 1u);
  EXPECT_EQ(server(1)->inactive_connections(), 0u);
  EXPECT_EQ(server(0)->stats().totals().conns, 1u);
  EXPECT_EQ(server(1)->stats().totals().conns, 1u);
  EXPECT_EQ(lab.lab.table.size(), 1u);
  EXPECT_EQ(state_of(40000), "SYN_RECV");
  // The new connection's replies come from .12 and are found.
  reply(1, 40000, kSynAck);
}

TEST_F(ConnectionReuse, SynOverCloseIsRescheduled) {
  make_service(ForwardMethod::masq);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  reply(0, 40000, kSynAck);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kRst)), 0);
  ASSERT_EQ(state_of(40000), "CLOSE");
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 1);
}

TEST_F(ConnectionReuse, SynOverAnEstablishedConnectionStaysWithItsServer) {
  make_service(ForwardMethod::masq);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  reply(0, 40000, kSynAck);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  ASSERT_EQ(state_of(40000), "ESTABLISHED");
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 0);
  EXPECT_EQ(server(0)->stats().totals().conns, 1u);
  EXPECT_EQ(server(1)->stats().totals().conns, 0u);
}

TEST_F(ConnectionReuse, ThreeHundredShortConnectionsOnFourPortsSplitEvenlyOverThree) {
  make_service(ForwardMethod::masq, 3);
  std::map<int, int> served;
  for (int round = 0; round < 75; ++round)
    for (uint16_t p = 40000; p < 40004; ++p) ++served[short_nat_connection(p)];
  // Without reuse handling each port would stick to its first server: 150 / 75 / 75.
  EXPECT_EQ(served, (std::map<int, int>{{0, 100}, {1, 100}, {2, 100}}));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(server(i)->stats().totals().conns, 100u);
  EXPECT_EQ(lab.lab.table.size(), 4u);  // one TIME_WAIT entry per port
}

class ConnectionReuseOff : public ConnectionReuse {
 protected:
  ConnectionReuseOff() : ConnectionReuse(conn::ReuseRules{.conn_reuse_mode = 0}) {}
};

TEST_F(ConnectionReuseOff, ModeZeroSendsTheReusedPortToTheOldServer) {
  make_service(ForwardMethod::masq);
  ASSERT_EQ(short_nat_connection(40000), 0);
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 0);
  EXPECT_EQ(state_of(40000), "SYN_RECV");
  EXPECT_EQ(server(0)->stats().totals().conns, 1u);
  EXPECT_EQ(server(0)->active_connections(), 1u);
  EXPECT_EQ(server(1)->stats().totals().conns, 0u);
}

// DR: no replies pass the director, so the client's FIN leaves the entry in FIN_WAIT.

TEST_F(ConnectionReuse, DirectRoutingFinWaitKeepsItsServerUnderModeOne) {
  make_service(ForwardMethod::route);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kFinAck)), 0);
  ASSERT_EQ(state_of(40000), "FIN_WAIT");
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 0);
  EXPECT_EQ(server(1)->stats().totals().conns, 0u);
}

TEST_F(ConnectionReuse, DirectRoutingCloseAfterResetIsRescheduled) {
  make_service(ForwardMethod::route);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kRst)), 0);
  ASSERT_EQ(state_of(40000), "CLOSE");
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 1);
}

class ConnectionReuseModeTwo : public ConnectionReuse {
 protected:
  ConnectionReuseModeTwo() : ConnectionReuse(conn::ReuseRules{.conn_reuse_mode = 2}) {}
};

TEST_F(ConnectionReuseModeTwo, DirectRoutingFinWaitIsRescheduled) {
  make_service(ForwardMethod::route);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kFinAck)), 0);
  ASSERT_EQ(state_of(40000), "FIN_WAIT");
  EXPECT_EQ(server(0)->inactive_connections(), 1u);
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 1);
  EXPECT_EQ(server(0)->active_connections() + server(0)->inactive_connections(), 0u);
  EXPECT_EQ(server(1)->active_connections(), 1u);
}

TEST_F(ConnectionReuseModeTwo, NatFinWaitHasSeenRepliesAndKeepsItsServer) {
  make_service(ForwardMethod::masq);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  reply(0, 40000, kSynAck);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  reply(0, 40000, kFinAck);
  ASSERT_EQ(state_of(40000), "FIN_WAIT");
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 0);
}

TEST_F(ConnectionReuse, LaterPacketsFollowTheRescheduledConnection) {
  make_service(ForwardMethod::masq);
  ASSERT_EQ(short_nat_connection(40000), 0);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 1);
  EXPECT_EQ(sent_to(from_client(40000, kAck)), 1);
}

class ExpireNodestConn : public ConnectionReuse {
 protected:
  ExpireNodestConn() : ConnectionReuse(conn::ReuseRules{.expire_nodest_conn = true}) {}
};

TEST_F(ExpireNodestConn, APacketForARemovedServerExpiresItsConnection) {
  make_service(ForwardMethod::masq);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  reply(0, 40000, kSynAck);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  Ref<core::RealServer> removed(server(0));
  lab.lab.remove_destination(service, kServers[0], port);

  // Not a SYN: the entry goes and the kernel answers the client (a reset).
  now += 0.001;
  const auto r = lab.run(frame(from_client(40000, kAck)), now);
  EXPECT_EQ(r.outcome.verdict, Verdict::pass);
  EXPECT_EQ(r.outcome.reason, Counter::passed_tcp_no_connection);
  EXPECT_EQ(state_of(40000), "none");
  EXPECT_EQ(removed->active_connections() + removed->inactive_connections(), 0u);
  EXPECT_EQ(lab.lab.table.size(), 0u);
  // The client's next SYN on that port is scheduled to a server still in the service.
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 1);
}

TEST_F(ExpireNodestConn, AServerRemovedAndAddedBackKeepsItsConnections) {
  make_service(ForwardMethod::masq);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  reply(0, 40000, kSynAck);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  lab.lab.remove_destination(service, kServers[0], port);
  lab.lab.add_destination(service, kServers[0], port, ForwardMethod::masq);
  EXPECT_EQ(sent_to(from_client(40000, kAck)), 0);
  EXPECT_EQ(state_of(40000), "ESTABLISHED");
}

TEST_F(ExpireNodestConn, ASynOverAQuiescedServerIsRescheduled) {
  make_service(ForwardMethod::route);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  lab.lab.set_weight(service, kServers[0], port, 0);
  // Established packets keep flowing to the quiesced server; a new SYN moves on.
  EXPECT_EQ(sent_to(from_client(40000, kAck)), 0);
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 1);
  EXPECT_EQ(server(0)->active_connections() + server(0)->inactive_connections(), 0u);
}

TEST_F(ConnectionReuse, WithoutExpireNodestConnASynOverAQuiescedServerStays) {
  make_service(ForwardMethod::route);
  ASSERT_EQ(sent_to(from_client(40000, kSyn)), 0);
  ASSERT_EQ(sent_to(from_client(40000, kAck)), 0);
  lab.lab.set_weight(service, kServers[0], port, 0);
  EXPECT_EQ(sent_to(from_client(40000, kSyn)), 0);
}

TEST_F(ExpireNodestConn, UdpToARemovedServerIsScheduledAfresh) {
  service = lab.lab.add_service(Protocol::udp, "192.168.2.11", 53, "rr");
  lab.lab.add_destination(service, kServers[0], 53, ForwardMethod::route);
  lab.lab.add_destination(service, kServers[1], 53, ForwardMethod::route);
  FrameSpec s = from_client(5353, 0);
  s.protocol = packet::ipproto::udp;
  s.destination_port = 53;
  ASSERT_EQ(sent_to(s), 0);
  ASSERT_EQ(sent_to(s), 0);
  lab.lab.remove_destination(service, kServers[0], 53);
  EXPECT_EQ(sent_to(s), 1);
  EXPECT_EQ(sent_to(s), 1);
}

}  // namespace
}  // namespace vsd::dataplane

// Behaviour matched: net/netfilter/ipvs/ip_vs_conn.c (ip_vs_conn_in_get, ip_vs_conn_out_get,
// ip_vs_bind_dest / ip_vs_unbind_dest, the connection timer), ip_vs_core.c ip_vs_conn_stats,
// ip_vs_proto_udp.c (one state, "UDP", 300 s), ipvsadm -c columns.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "lab.h"

namespace vsd::conn {
namespace {

using core::ForwardMethod;
using core::Protocol;
using testing::at_seconds;
using testing::ip;

class Table : public ::testing::Test {
 protected:
  Table() {
    web = lab.add_service(Protocol::tcp, "192.168.2.11", 80);
    lab.add_destination(web, "10.10.10.11", 8080, ForwardMethod::masq);
    dns = lab.add_service(Protocol::udp, "192.168.2.11", 53);
    lab.add_destination(dns, "10.10.10.21", 53, ForwardMethod::route);
  }
  core::RealServer* web_rs() { return lab.destination(web, "10.10.10.11", 8080); }
  core::RealServer* dns_rs() { return lab.destination(dns, "10.10.10.21", 53); }

  Connection find(const char* client, uint16_t port, uint16_t vport, Instant now,
                  Protocol protocol = Protocol::tcp) {
    return lab.table.lookup(InboundKey{protocol, ip(client), port, ip("192.168.2.11"), vport}, now);
  }

  testing::Lab lab;
  core::ServiceKey web;
  core::ServiceKey dns;
};

TEST_F(Table, NewConnectionIsBoundCountedAndFoundByItsInboundTuple) {
  NewConnection n = lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  ASSERT_EQ(n.result, NewConnection::Result::created);
  EXPECT_EQ(n.connection.state_name(), "SYN_RECV");  // its SYN already went through INPUT
  EXPECT_EQ(n.connection.method(), ForwardMethod::masq);
  EXPECT_EQ(to_string(n.connection.server()), "10.10.10.11:8080");
  EXPECT_EQ(web_rs()->active_connections(), 1u);
  EXPECT_EQ(web_rs()->inactive_connections(), 0u);
  EXPECT_EQ(web_rs()->stats().totals().conns, 1u);
  EXPECT_EQ(web_rs()->service().stats.totals().conns, 1u);
  n.connection.reset();

  Connection c = find("10.0.0.1", 40000, 80, at_seconds(1));
  ASSERT_TRUE(c);
  EXPECT_EQ(&c.destination(), web_rs());
  EXPECT_FALSE(find("10.0.0.1", 40001, 80, at_seconds(1)));
  EXPECT_FALSE(find("10.0.0.2", 40000, 80, at_seconds(1)));
  EXPECT_FALSE(find("10.0.0.1", 40000, 80, at_seconds(1), Protocol::udp));
  EXPECT_EQ(lab.table.size(), 1u);
}

TEST_F(Table, PacketHelperCountsOnDestinationAndService) {
  NewConnection n = lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  n.connection.count_inbound(0, 60);
  n.connection.count_outbound(0, 1500);
  EXPECT_EQ(web_rs()->stats().totals().in_bytes, 60u);
  EXPECT_EQ(web_rs()->stats().totals().out_packets, 1u);
  EXPECT_EQ(web_rs()->service().stats.totals().out_bytes, 1500u);
}

TEST_F(Table, EntryLivesExactlyItsTimeoutAndCountsDropAtExpiry) {
  lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(10));  // SYN_RECV: 60 s
  EXPECT_TRUE(find("10.0.0.1", 40000, 80, at_seconds(70) - Duration{1}));
  EXPECT_FALSE(find("10.0.0.1", 40000, 80, at_seconds(70)));
  EXPECT_EQ(lab.table.expire_all_due(at_seconds(70) - Duration{1}), 0u);
  EXPECT_EQ(web_rs()->active_connections(), 1u);
  EXPECT_EQ(lab.table.expire_all_due(at_seconds(70)), 1u);
  EXPECT_EQ(web_rs()->active_connections(), 0u);
  EXPECT_EQ(web_rs()->inactive_connections(), 0u);
  EXPECT_EQ(lab.table.size(), 0u);
}

TEST_F(Table, APacketRefreshesTheTimeout) {
  lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  {
    Connection c = find("10.0.0.1", 40000, 80, at_seconds(50));
    c.on_packet(Direction::input, tcp_flag::syn, at_seconds(50));  // retransmitted SYN
  }
  lab.table.expire_all_due(at_seconds(100));
  EXPECT_TRUE(find("10.0.0.1", 40000, 80, at_seconds(109)));
  EXPECT_FALSE(find("10.0.0.1", 40000, 80, at_seconds(110)));
}

TEST_F(Table, UdpHasOneStateAndTheUdpTimeout) {
  NewConnection n =
      lab.open(dns, "10.0.0.1", 5353, "192.168.2.11", 53, at_seconds(0), Protocol::udp);
  ASSERT_EQ(n.result, NewConnection::Result::created);
  EXPECT_EQ(n.connection.state_name(), "UDP");
  EXPECT_EQ(n.connection.expires_at(), at_seconds(300));
  EXPECT_EQ(dns_rs()->active_connections(), 0u);  // UDP never counts as active
  EXPECT_EQ(dns_rs()->inactive_connections(), 1u);
  lab.table.timeouts().set(0, 0, 20);
  n.connection.on_packet(Direction::input, 0, at_seconds(5));
  EXPECT_EQ(n.connection.expires_at(), at_seconds(25));
}

TEST_F(Table, ExpireDoesBoundedWork) {
  for (uint16_t p = 0; p < 100; ++p)
    ASSERT_EQ(lab.open(web, "10.0.0.1", static_cast<uint16_t>(1000 + p), "192.168.2.11", 80,
                       at_seconds(0))
                  .result,
              NewConnection::Result::created);
  const Instant later = at_seconds(61);
  size_t removed = 0;
  int calls = 0;
  while (lab.table.size() > 0) {
    const size_t r = lab.table.expire(later, 16);
    EXPECT_LE(r, 16u);
    removed += r;
    ASSERT_LT(++calls, 1000);
  }
  EXPECT_EQ(removed, 100u);
  EXPECT_EQ(web_rs()->active_connections(), 0u);
}

TEST_F(Table, NatRepliesAreFoundByTheRealServerTuple) {
  lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  Connection reply = lab.table.lookup_reply(
      ReplyKey{Protocol::tcp, ip("10.10.10.11"), 8080, ip("10.0.0.1"), 40000}, at_seconds(1));
  ASSERT_TRUE(reply);
  EXPECT_EQ(to_string(reply.client()), "10.0.0.1:40000");
  EXPECT_EQ(to_string(reply.virtual_endpoint()), "192.168.2.11:80");
  reply.on_packet(Direction::output, tcp_flag::syn | tcp_flag::ack, at_seconds(1));
  EXPECT_EQ(reply.tcp_state(), TcpState::syn_recv);
  EXPECT_FALSE(lab.table.lookup_reply(
      ReplyKey{Protocol::tcp, ip("10.10.10.11"), 80, ip("10.0.0.1"), 40000}, at_seconds(1)));
  EXPECT_FALSE(lab.table.lookup_reply(
      ReplyKey{Protocol::tcp, ip("10.10.10.11"), 8080, ip("10.0.0.1"), 40001}, at_seconds(1)));
}

TEST_F(Table, DirectRoutingConnectionsHaveNoReplyEntry) {
  lab.open(dns, "10.0.0.1", 5353, "192.168.2.11", 53, at_seconds(0), Protocol::udp);
  EXPECT_FALSE(lab.table.lookup_reply(
      ReplyKey{Protocol::udp, ip("10.10.10.21"), 53, ip("10.0.0.1"), 5353}, at_seconds(1)));
}

TEST_F(Table, FullNatRepliesAreFoundByTheLocalAddress) {
  auto svc = lab.add_service(Protocol::tcp, "192.168.2.12", 80);
  lab.add_destination(svc, "10.10.10.31", 80, ForwardMethod::fullnat);
  const Endpoint local{ip("10.255.0.1"), 61000};
  NewConnection n =
      lab.open(svc, "10.0.0.1", 40000, "192.168.2.12", 80, at_seconds(0), Protocol::tcp, local);
  ASSERT_EQ(n.result, NewConnection::Result::created);
  EXPECT_EQ(to_string(n.connection.local()), "10.255.0.1:61000");
  Connection reply = lab.table.lookup_reply(
      ReplyKey{Protocol::tcp, ip("10.10.10.31"), 80, ip("10.255.0.1"), 61000}, at_seconds(1));
  ASSERT_TRUE(reply);
  EXPECT_EQ(to_string(reply.client()), "10.0.0.1:40000");
  // A FULLNAT reply never goes to the client itself.
  EXPECT_FALSE(lab.table.lookup_reply(
      ReplyKey{Protocol::tcp, ip("10.10.10.31"), 80, ip("10.0.0.1"), 40000}, at_seconds(1)));
}

TEST_F(Table, Ipv6ConnectionsAndReplies) {
  auto svc = lab.add_service(Protocol::tcp, "2001:db8::80", 443);
  lab.add_destination(svc, "fd00::11", 8443, ForwardMethod::masq);
  Flow f;
  f.client = ip("2001:db8:1::5");
  f.client_port = 50000;
  f.virtual_address = ip("2001:db8::80");
  f.virtual_port = 443;
  f.tcp_flags = tcp_flag::syn;
  NewConnection n = create_connection(lab.table, lab.view(svc), f, at_seconds(0), 0);
  ASSERT_EQ(n.result, NewConnection::Result::created);
  EXPECT_EQ(to_string(n.connection.server()), "[fd00::11]:8443");
  n.connection.reset();
  Connection in = lab.table.lookup(
      InboundKey{Protocol::tcp, ip("2001:db8:1::5"), 50000, ip("2001:db8::80"), 443},
      at_seconds(1));
  ASSERT_TRUE(in);
  EXPECT_EQ(in.family(), AddressFamily::v6);
  Connection out = lab.table.lookup_reply(
      ReplyKey{Protocol::tcp, ip("fd00::11"), 8443, ip("2001:db8:1::5"), 50000}, at_seconds(1));
  ASSERT_TRUE(out);
  EXPECT_EQ(to_string(out.client()), "[2001:db8:1::5]:50000");
  // The same numbers in IPv4 are another connection.
  EXPECT_FALSE(lab.table.lookup(
      InboundKey{Protocol::tcp, ip("0.0.0.5"), 50000, ip("0.0.0.80"), 443}, at_seconds(1)));
}

TEST_F(Table, FullTableRefusesAndCountsThenRecovers) {
  testing::Lab small(TableConfig{4, 0, 7});
  auto svc = small.add_service(Protocol::tcp, "192.168.2.11", 80);
  small.add_destination(svc, "10.10.10.11", 80);
  core::RealServer* rs = small.destination(svc, "10.10.10.11", 80);
  for (uint16_t p = 0; p < 4; ++p)
    ASSERT_EQ(small
                  .open(svc, "10.0.0.1", static_cast<uint16_t>(1000 + p), "192.168.2.11", 80,
                        at_seconds(0))
                  .result,
              NewConnection::Result::created);
  NewConnection refused = small.open(svc, "10.0.0.1", 2000, "192.168.2.11", 80, at_seconds(0));
  EXPECT_EQ(refused.result, NewConnection::Result::table_full);
  EXPECT_FALSE(refused.connection);
  EXPECT_EQ(small.table.full_failures(), 1u);
  EXPECT_EQ(rs->active_connections(), 4u);
  EXPECT_EQ(rs->stats().totals().conns, 4u);
  small.table.expire_all_due(at_seconds(60));
  EXPECT_EQ(small.open(svc, "10.0.0.1", 2000, "192.168.2.11", 80, at_seconds(60)).result,
            NewConnection::Result::created);
  // No IPv6 room at all: refused, counted.
  Flow f;
  f.client = ip("2001:db8::1");
  f.virtual_address = ip("2001:db8::80");
  auto svc6 = small.add_service(Protocol::tcp, "2001:db8::80", 80);
  small.add_destination(svc6, "fd00::1", 80);
  f.virtual_port = 80;
  f.tcp_flags = tcp_flag::syn;
  EXPECT_EQ(create_connection(small.table, small.view(svc6), f, at_seconds(60), 0).result,
            NewConnection::Result::table_full);
  EXPECT_EQ(small.table.full_failures(), 2u);
}

TEST_F(Table, QuiescedServiceGivesNoDestination) {
  lab.set_weight(web, "10.10.10.11", 8080, 0);
  NewConnection n = lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  EXPECT_EQ(n.result, NewConnection::Result::no_destination);
  EXPECT_EQ(lab.table.size(), 0u);
}

TEST_F(Table, SameFlowTwiceGivesTheExistingConnection) {
  NewConnection first = lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  NewConnection second = lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  EXPECT_EQ(second.result, NewConnection::Result::existing);
  EXPECT_EQ(lab.table.size(), 1u);
  EXPECT_EQ(web_rs()->active_connections(), 1u);
  EXPECT_EQ(web_rs()->inactive_connections(), 0u);
  EXPECT_EQ(web_rs()->stats().totals().conns, 1u);
}

TEST_F(Table, ListsWhatIpvsadmShows) {
  lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  auto rows = lab.table.list(at_seconds(15));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].protocol, "TCP");
  EXPECT_EQ(rows[0].state, "SYN_RECV");
  EXPECT_EQ(rows[0].expires_in, seconds(45));
  EXPECT_EQ(to_string(rows[0].client), "10.0.0.1:40000");
  EXPECT_EQ(to_string(rows[0].virtual_endpoint), "192.168.2.11:80");
  EXPECT_EQ(to_string(rows[0].destination), "10.10.10.11:8080");
  EXPECT_FALSE(rows[0].is_template);
  EXPECT_TRUE(lab.table.list(at_seconds(60)).empty());  // expired, even if not yet removed
}

TEST_F(Table, BatchLookupMatchesSingleLookups) {
  std::vector<InboundKey> keys;
  for (uint16_t p = 0; p < 40; ++p) {
    if (p % 3 != 0)
      lab.open(web, "10.0.0.1", static_cast<uint16_t>(1000 + p), "192.168.2.11", 80, at_seconds(0));
    keys.push_back(InboundKey{Protocol::tcp, ip("10.0.0.1"), static_cast<uint16_t>(1000 + p),
                              ip("192.168.2.11"), 80});
  }
  std::vector<Connection> out(keys.size());
  lab.table.lookup(keys, at_seconds(1), out);
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(static_cast<bool>(out[i]), i % 3 != 0) << i;
    if (out[i]) {
      EXPECT_EQ(out[i].client().port, keys[i].client_port);
    }
  }
}

TEST_F(Table, ConnectionKeepsARemovedDestinationAlive) {
  lab.open(web, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  core::RealServer* rs = web_rs();
  const uint32_t refs_before = rs->references();
  lab.remove_destination(web, "10.10.10.11", 8080);
  EXPECT_LT(rs->references(), refs_before);
  Connection c = find("10.0.0.1", 40000, 80, at_seconds(1));
  ASSERT_TRUE(c);  // IPVS keeps serving it (expire_nodest_conn = 0)
  EXPECT_EQ(c.destination().address().to_string(), "10.10.10.11");
}

}  // namespace
}  // namespace vsd::conn

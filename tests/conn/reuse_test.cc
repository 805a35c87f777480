// Behaviour matched: net/netfilter/ipvs/ip_vs_conn.c ip_vs_conn_expire_now (the entry goes at
// once unless still referenced; ip_vs_unbind_dest drops the counts), ip_vs_core.c ip_vs_in
// (is_new_conn: a SYN; is_new_conn_expected: TIME_WAIT, CLOSE, and with conn_reuse_mode bit 2
// FIN_WAIT without output, never a controlled connection; expire_nodest_conn with a weight-0
// destination), ip_vs_conn.c ip_vs_check_template (expire_quiescent_template),
// Documentation/networking/ipvs-sysctl.rst (defaults 1, 0, 0).
#include "conn/reuse.h"

#include <gtest/gtest.h>

#include "lab.h"

namespace vsd::conn {
namespace {

using core::ForwardMethod;
using core::Protocol;
using testing::at_seconds;
using testing::ip;

constexpr uint8_t kSyn = tcp_flag::syn;
constexpr uint8_t kAck = tcp_flag::ack;
constexpr uint8_t kFin = tcp_flag::fin | tcp_flag::ack;
constexpr uint8_t kRst = tcp_flag::rst;

class Reuse : public ::testing::Test {
 protected:
  Reuse() {
    nat = lab.add_service(Protocol::tcp, "192.168.2.11", 80);
    lab.add_destination(nat, "10.10.10.11", 8080, ForwardMethod::masq);
    dr = lab.add_service(Protocol::tcp, "192.168.2.12", 80);
    lab.add_destination(dr, "10.10.10.21", 80, ForwardMethod::route);
  }
  core::RealServer* nat_rs() { return lab.destination(nat, "10.10.10.11", 8080); }

  Connection find(const char* vip, uint16_t client_port, Instant now) {
    return lab.table.lookup(InboundKey{Protocol::tcp, ip("10.0.0.1"), client_port, ip(vip), 80},
                            now);
  }
  // A NAT connection taken through a whole close, both sides seen: ends in TIME_WAIT.
  Connection nat_in_time_wait(uint16_t client_port) {
    NewConnection n = lab.open(nat, "10.0.0.1", client_port, "192.168.2.11", 80, at_seconds(0));
    Connection& c = n.connection;
    c.on_packet(Direction::output, kSyn | kAck, at_seconds(0));
    c.on_packet(Direction::input, kAck, at_seconds(0));
    c.on_packet(Direction::output, kFin, at_seconds(1));
    c.on_packet(Direction::input, kFin, at_seconds(1));
    return std::move(n.connection);
  }

  testing::Lab lab;
  core::ServiceKey nat;
  core::ServiceKey dr;
};

TEST_F(Reuse, ExpireNowRemovesTheEntryAndItsCountsAtOnce) {
  NewConnection n = lab.open(nat, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  ASSERT_EQ(nat_rs()->active_connections(), 1u);
  n.connection.expire_now(at_seconds(5));
  EXPECT_FALSE(n.connection);
  EXPECT_EQ(lab.table.size(), 0u);
  EXPECT_EQ(nat_rs()->active_connections(), 0u);
  EXPECT_EQ(nat_rs()->inactive_connections(), 0u);
  EXPECT_FALSE(find("192.168.2.11", 40000, at_seconds(5)));
  EXPECT_FALSE(lab.table.lookup_reply(
      ReplyKey{Protocol::tcp, ip("10.10.10.11"), 8080, ip("10.0.0.1"), 40000}, at_seconds(5)));
}

TEST_F(Reuse, ExpireNowOfAnEntryInUseElsewhereLeavesItToTheSweep) {
  NewConnection n = lab.open(nat, "10.0.0.1", 40000, "192.168.2.11", 80, at_seconds(0));
  Connection other = find("192.168.2.11", 40000, at_seconds(1));
  ASSERT_TRUE(other);
  n.connection.expire_now(at_seconds(1));
  // No longer found, but the other handle keeps it (and its counts) until it lets go.
  EXPECT_FALSE(find("192.168.2.11", 40000, at_seconds(1)));
  EXPECT_EQ(lab.table.size(), 1u);
  EXPECT_EQ(nat_rs()->active_connections(), 1u);
  other.reset();
  EXPECT_EQ(lab.table.expire_all_due(at_seconds(1)), 1u);
  EXPECT_EQ(nat_rs()->active_connections(), 0u);
}

TEST_F(Reuse, ExpireNowOfAControlledConnectionLeavesItsTemplateToItsOwnTimer) {
  auto svc = lab.add_service(Protocol::tcp, "192.168.2.13", 80, "rr", 300);
  lab.add_destination(svc, "10.10.10.31", 80, ForwardMethod::route);
  core::RealServer* rs = lab.destination(svc, "10.10.10.31", 80);
  NewConnection n = lab.open(svc, "10.0.0.1", 40000, "192.168.2.13", 80, at_seconds(0));
  ASSERT_TRUE(n.connection.controlled());
  n.connection.expire_now(at_seconds(10));
  EXPECT_EQ(rs->active_connections() + rs->inactive_connections(), 0u);
  EXPECT_EQ(rs->persistent_connections(), 1u);
  EXPECT_EQ(lab.table.expire_all_due(at_seconds(299)), 0u);
  EXPECT_EQ(lab.table.expire_all_due(at_seconds(300)), 1u);
  EXPECT_EQ(rs->persistent_connections(), 0u);
}

TEST_F(Reuse, TimeWaitAndCloseExpectANewConnectionEstablishedDoesNot) {
  Connection tw = nat_in_time_wait(40000);
  ASSERT_EQ(tw.state_name(), "TIME_WAIT");
  EXPECT_TRUE(new_connection_expected(tw, 1));
  EXPECT_TRUE(reschedules_over(tw, kSyn, ReuseRules{}));
  EXPECT_FALSE(reschedules_over(tw, kAck, ReuseRules{}));  // only a SYN opens a connection
  EXPECT_FALSE(reschedules_over(tw, kSyn, ReuseRules{.conn_reuse_mode = 0}));

  NewConnection es = lab.open(nat, "10.0.0.1", 40001, "192.168.2.11", 80, at_seconds(0));
  es.connection.on_packet(Direction::input, kAck, at_seconds(0));
  ASSERT_EQ(es.connection.state_name(), "ESTABLISHED");
  EXPECT_FALSE(new_connection_expected(es.connection, 3));
  EXPECT_FALSE(reschedules_over(es.connection, kSyn, ReuseRules{}));

  es.connection.on_packet(Direction::input, kRst, at_seconds(1));
  ASSERT_EQ(es.connection.state_name(), "CLOSE");
  EXPECT_TRUE(reschedules_over(es.connection, kSyn, ReuseRules{}));
}

TEST_F(Reuse, FinWaitWithoutRepliesNeedsModeBitTwo) {
  // DR: the director sees the client's side only, and FIN_WAIT is the last state it sees.
  NewConnection n = lab.open(dr, "10.0.0.1", 40000, "192.168.2.12", 80, at_seconds(0));
  Connection& c = n.connection;
  c.on_packet(Direction::input, kAck, at_seconds(0));
  c.on_packet(Direction::input, kFin, at_seconds(1));
  c.on_packet(Direction::input, kAck, at_seconds(1));
  ASSERT_EQ(c.state_name(), "FIN_WAIT");
  EXPECT_FALSE(c.reply_seen());
  EXPECT_FALSE(reschedules_over(c, kSyn, ReuseRules{.conn_reuse_mode = 1}));
  EXPECT_TRUE(reschedules_over(c, kSyn, ReuseRules{.conn_reuse_mode = 2}));
  EXPECT_TRUE(reschedules_over(c, kSyn, ReuseRules{.conn_reuse_mode = 3}));

  // NAT FIN_WAIT has seen replies: the server may still be sending, so it is kept.
  NewConnection nat_fw = lab.open(nat, "10.0.0.1", 40001, "192.168.2.11", 80, at_seconds(0));
  nat_fw.connection.on_packet(Direction::output, kSyn | kAck, at_seconds(0));
  nat_fw.connection.on_packet(Direction::input, kAck, at_seconds(0));
  nat_fw.connection.on_packet(Direction::output, kFin, at_seconds(1));
  ASSERT_EQ(nat_fw.connection.state_name(), "FIN_WAIT");
  EXPECT_TRUE(nat_fw.connection.reply_seen());
  EXPECT_FALSE(reschedules_over(nat_fw.connection, kSyn, ReuseRules{.conn_reuse_mode = 2}));
}

TEST_F(Reuse, ControlledConnectionsAreNotReusedButAQuiescedDestinationIsLeftWithNodestExpiry) {
  auto svc = lab.add_service(Protocol::tcp, "192.168.2.13", 80, "rr", 300);
  lab.add_destination(svc, "10.10.10.31", 80, ForwardMethod::masq);
  NewConnection n = lab.open(svc, "10.0.0.1", 40000, "192.168.2.13", 80, at_seconds(0));
  Connection& c = n.connection;
  c.on_packet(Direction::input, kAck, at_seconds(0));
  c.on_packet(Direction::input, kRst, at_seconds(1));
  ASSERT_EQ(c.state_name(), "CLOSE");
  EXPECT_FALSE(new_connection_expected(c, 3));
  EXPECT_FALSE(reschedules_over(c, kSyn, ReuseRules{}));

  lab.set_weight(svc, "10.10.10.31", 80, 0);
  EXPECT_FALSE(reschedules_over(c, kSyn, ReuseRules{}));
  EXPECT_TRUE(reschedules_over(c, kSyn, ReuseRules{.expire_nodest_conn = true}));
  // Also with conn_reuse_mode 0: expire_nodest_conn is checked first.
  EXPECT_TRUE(
      reschedules_over(c, kSyn, ReuseRules{.conn_reuse_mode = 0, .expire_nodest_conn = true}));
}

TEST_F(Reuse, UdpIsNeverAReusedPort) {
  auto dns = lab.add_service(Protocol::udp, "192.168.2.11", 53);
  lab.add_destination(dns, "10.10.10.41", 53, ForwardMethod::route);
  NewConnection n =
      lab.open(dns, "10.0.0.1", 5353, "192.168.2.11", 53, at_seconds(0), Protocol::udp);
  EXPECT_FALSE(reschedules_over(n.connection, kSyn, ReuseRules{.conn_reuse_mode = 3}));
}

TEST(ReuseDefaults, AreTheKernelsDefaults) {
  const ReuseRules rules;
  EXPECT_EQ(rules.conn_reuse_mode, 1u);
  EXPECT_FALSE(rules.expire_nodest_conn);
  EXPECT_FALSE(rules.expire_quiescent_template);
}

TEST(QuiescentTemplate, IsExpiredOnlyWhenAsked) {
  for (const bool expire : {false, true}) {
    testing::Lab lab;
    auto svc = lab.add_service(Protocol::tcp, "192.168.2.11", 80, "rr", 300);
    lab.add_destination(svc, "10.10.10.1", 80, ForwardMethod::route);
    lab.add_destination(svc, "10.10.10.2", 80, ForwardMethod::route);
    Flow f;
    f.client = ip("10.0.0.1");
    f.client_port = 1000;
    f.virtual_address = ip("192.168.2.11");
    f.virtual_port = 80;
    f.tcp_flags = kSyn;
    const ReuseRules rules{.expire_quiescent_template = expire};
    NewConnection first = create_connection(lab.table, lab.view(svc), f, at_seconds(0), 0, rules);
    core::RealServer* chosen = &first.connection.destination();
    first.connection.reset();
    lab.set_weight(svc, chosen->address().to_string().c_str(), 80, 0);
    f.client_port = 1001;
    NewConnection second = create_connection(lab.table, lab.view(svc), f, at_seconds(1), 0, rules);
    ASSERT_EQ(second.result, NewConnection::Result::created);
    if (expire) {
      EXPECT_NE(&second.connection.destination(), chosen);
      EXPECT_EQ(second.connection.destination().persistent_connections(), 1u);  // a new template
    } else {
      EXPECT_EQ(&second.connection.destination(), chosen);
    }
  }
}

}  // namespace
}  // namespace vsd::conn

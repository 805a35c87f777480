// Behaviour matched: net/netfilter/ipvs/ip_vs_proto_tcp.c (tcp_states, tcp_state_idx,
// tcp_state_active_table, tcp_timeouts, set_tcp_state), ip_vs_ctl.c ip_vs_set_timeout.
#include <gtest/gtest.h>

#include <array>
#include <map>
#include <queue>
#include <sstream>
#include <vector>

#include "lab.h"

namespace vsd::conn {
namespace {

using testing::at_seconds;
using testing::ip;

// The tables exactly as IPVS lists them: rows syn fin ack rst, columns NO ES SS SR FW TW CL CW
// LA LI SA.
struct ExpectedTable {
  TcpTable table;
  const char* name;
  std::array<const char*, 4> rows;
};
const std::array<ExpectedTable, 3> kExpected = {{
    {TcpTable::input,
     "INPUT",
     {"SR ES ES SR SR SR SR SR SR SR SR", "CL CW SS TW TW TW CL CW LA LI TW",
      "ES ES SS ES FW TW CL CW CL LI ES", "CL CL CL SR CL CL CL CL LA LI SR"}},
    {TcpTable::output,
     "OUTPUT",
     {"SS ES SS SR SS SS SS SS SS LI SR", "TW FW SS TW FW TW CL TW LA LI TW",
      "ES ES SS ES FW TW CL CW LA ES ES", "CL CL SS CL CL TW CL CL CL CL CL"}},
    {TcpTable::input_only,
     "INPUT-ONLY",
     {"SR ES ES SR SR SR SR SR SR SR SR", "CL FW SS TW FW TW CL CW LA LI TW",
      "ES ES SS ES FW TW CL CW CL LI ES", "CL CL CL SR CL CL CL CL LA LI CL"}},
}};
const std::array<uint8_t, 4> kRowFlag = {tcp_flag::syn, tcp_flag::fin, tcp_flag::ack,
                                         tcp_flag::rst};

TcpState from_abbreviation(const std::string& s) {
  static const std::map<std::string, TcpState> names = {
      {"NO", TcpState::none},     {"ES", TcpState::established}, {"SS", TcpState::syn_sent},
      {"SR", TcpState::syn_recv}, {"FW", TcpState::fin_wait},    {"TW", TcpState::time_wait},
      {"CL", TcpState::close},    {"CW", TcpState::close_wait},  {"LA", TcpState::last_ack},
      {"LI", TcpState::listen},   {"SA", TcpState::synack}};
  return names.at(s);
}

// expected[table][state][flag row]; flag row 4 = no flag at all.
TcpState expected_next(TcpTable table, TcpState state, int row) {
  if (row == 4) return TcpState::close;
  for (const auto& t : kExpected) {
    if (t.table != table) continue;
    std::istringstream in(t.rows[static_cast<size_t>(row)]);
    std::string cell;
    for (unsigned column = 0; in >> cell; ++column)
      if (column == static_cast<unsigned>(state)) return from_abbreviation(cell);
  }
  ADD_FAILURE() << "no such cell";
  return TcpState::none;
}
uint8_t row_flags(int row) {
  return row == 4 ? 0 : kRowFlag[static_cast<size_t>(row)];
}

TEST(TcpState, EveryTransitionOfTheThreeTables) {
  for (const auto& t : kExpected) {
    for (unsigned s = 0; s < kTcpStateCount; ++s) {
      for (int row = 0; row <= 4; ++row) {
        const auto state = static_cast<TcpState>(s);
        EXPECT_EQ(next_tcp_state(t.table, state, row_flags(row)),
                  expected_next(t.table, state, row))
            << t.name << " from " << to_string(state) << " row " << row;
      }
    }
  }
}

TEST(TcpState, FlagPriorityIsRstThenSynThenFinThenAck) {
  using namespace tcp_flag;
  // SYN+ACK (a server's answer) takes the syn row; FIN+ACK the fin row; RST+anything the rst row.
  EXPECT_EQ(next_tcp_state(TcpTable::output, TcpState::syn_recv, syn | ack), TcpState::syn_recv);
  EXPECT_EQ(next_tcp_state(TcpTable::input, TcpState::established, fin | ack),
            TcpState::close_wait);
  EXPECT_EQ(next_tcp_state(TcpTable::input, TcpState::syn_recv, rst | syn | ack),
            TcpState::syn_recv);
  EXPECT_EQ(next_tcp_state(TcpTable::input, TcpState::established, rst | ack), TcpState::close);
  EXPECT_EQ(next_tcp_state(TcpTable::input, TcpState::established, 0x08 /* PSH only */),
            TcpState::close);
}

TEST(TcpState, NamesAsIpvsadmPrintsThem) {
  const std::vector<std::string_view> names = {"NONE",     "ESTABLISHED", "SYN_SENT", "SYN_RECV",
                                               "FIN_WAIT", "TIME_WAIT",   "CLOSE",    "CLOSE_WAIT",
                                               "LAST_ACK", "LISTEN",      "SYNACK"};
  for (unsigned s = 0; s < kTcpStateCount; ++s)
    EXPECT_EQ(to_string(static_cast<TcpState>(s)), names[s]);
}

TEST(TcpState, ActiveStatesAreTheHandshakeAndEstablished) {
  for (unsigned s = 0; s < kTcpStateCount; ++s) {
    const auto state = static_cast<TcpState>(s);
    const bool expected = state == TcpState::established || state == TcpState::syn_sent ||
                          state == TcpState::syn_recv || state == TcpState::synack;
    EXPECT_EQ(is_active(state), expected) << to_string(state);
  }
}

TEST(TcpState, OnlyASynWithoutRstOpensAConnection) {
  EXPECT_TRUE(tcp_starts_connection(tcp_flag::syn));
  EXPECT_TRUE(tcp_starts_connection(tcp_flag::syn | tcp_flag::ack));
  EXPECT_FALSE(tcp_starts_connection(tcp_flag::syn | tcp_flag::rst));
  EXPECT_FALSE(tcp_starts_connection(tcp_flag::ack));
}

TEST(Timeouts, IpvsDefaultsAndSetLikeIpvsadm) {
  Timeouts t;
  const std::array<uint32_t, kTcpStateCount> defaults = {2,  900, 120, 60,  120, 120,
                                                         10, 60,  30,  120, 120};
  for (unsigned s = 0; s < kTcpStateCount; ++s)
    EXPECT_EQ(t.tcp_seconds(static_cast<TcpState>(s)), defaults[s]);
  EXPECT_EQ(t.udp_seconds(), 300u);
  EXPECT_EQ(t.summary(), (TimeoutSummary{900, 120, 300}));
  t.set(3600, 0, 0);  // ipvsadm --set 3600 0 0: only tcp changes
  EXPECT_EQ(t.summary(), (TimeoutSummary{3600, 120, 300}));
  t.set(0, 30, 60);
  EXPECT_EQ(t.summary(), (TimeoutSummary{3600, 30, 60}));
  EXPECT_EQ(t.tcp_seconds(TcpState::time_wait), 120u);  // untouched by --set
}

// --- the state machine as the table runs it: accounting and timeouts --------------------------

struct Step {
  Direction direction;
  uint8_t flags;
};

// Every state a connection can reach from NONE, with a packet sequence that gets it there.
std::map<TcpState, std::vector<Step>> reachable(bool sees_replies) {
  std::map<TcpState, std::vector<Step>> paths{{TcpState::none, {}}};
  std::queue<TcpState> todo;
  todo.push(TcpState::none);
  while (!todo.empty()) {
    const TcpState s = todo.front();
    todo.pop();
    for (int row = 0; row <= 4; ++row) {
      for (Direction d : {Direction::input, Direction::output}) {
        if (d == Direction::output && !sees_replies) continue;
        const TcpTable table = d == Direction::output ? TcpTable::output
                               : sees_replies         ? TcpTable::input
                                                      : TcpTable::input_only;
        const TcpState next = expected_next(table, s, row);
        if (paths.count(next)) continue;
        paths[next] = paths[s];
        paths[next].push_back(Step{d, row_flags(row)});
        todo.push(next);
      }
    }
  }
  return paths;
}

class StateMachine : public ::testing::Test {
 protected:
  StateMachine() {
    service = lab.add_service(core::Protocol::tcp, "192.168.2.11", 80);
    lab.add_destination(service, "10.10.10.11", 80, core::ForwardMethod::masq);
    lab.add_destination(service, "10.10.10.12", 80, core::ForwardMethod::route);
    nat = lab.destination(service, "10.10.10.11", 80);
    dr = lab.destination(service, "10.10.10.12", 80);
  }

  Connection insert(core::RealServer* d, uint16_t client_port, Instant now) {
    ConnectionSpec spec;
    spec.client = ip("10.0.0.1");
    spec.client_port = client_port;
    spec.virtual_address = ip("192.168.2.11");
    spec.virtual_port = 80;
    spec.destination = d;
    spec.destination_port = 80;
    spec.method = d->method();
    Insertion made = lab.table.insert_connection(spec, now);
    EXPECT_EQ(made.result, Insertion::Result::created);
    return std::move(made.connection);
  }

  // For every reachable state and every flag, through the real table: the next state, the
  // destination's ActiveConn/InActConn, and the timeout the connection now has.
  void check_all(core::RealServer* d, bool sees_replies) {
    const auto paths = reachable(sees_replies);
    uint16_t port = 1000;
    for (const auto& [state, path] : paths) {
      for (int row = 0; row <= 4; ++row) {
        for (Direction dir : {Direction::input, Direction::output}) {
          if (dir == Direction::output && !sees_replies) continue;
          const Instant t0 = at_seconds(1000);
          Connection c = insert(d, port++, t0);
          EXPECT_EQ(d->active_connections(), 0u);
          EXPECT_EQ(d->inactive_connections(), 1u);  // bound inactive
          for (const Step& s : path) c.on_packet(s.direction, s.flags, t0);
          ASSERT_EQ(c.tcp_state(), state);
          const TcpTable table = dir == Direction::output ? TcpTable::output
                                 : sees_replies           ? TcpTable::input
                                                          : TcpTable::input_only;
          const TcpState want = expected_next(table, state, row);
          const Instant t1 = at_seconds(1001);
          c.on_packet(dir, row_flags(row), t1);
          EXPECT_EQ(c.tcp_state(), want) << "from " << to_string(state) << " row " << row;
          EXPECT_EQ(c.state_name(), to_string(want));
          EXPECT_EQ(d->active_connections(), is_active(want) ? 1u : 0u) << to_string(want);
          EXPECT_EQ(d->inactive_connections(), is_active(want) ? 0u : 1u) << to_string(want);
          EXPECT_EQ(c.expires_at(), t1 + seconds(lab.table.timeouts().tcp_seconds(want)));
          c.reset();
          lab.table.flush();
          EXPECT_EQ(d->active_connections() + d->inactive_connections(), 0u);
        }
      }
    }
  }

  testing::Lab lab;
  core::ServiceKey service;
  core::RealServer* nat = nullptr;
  core::RealServer* dr = nullptr;
};

TEST_F(StateMachine, NatFollowsInputAndOutputTablesWithCounts) {
  // Every state but LAST_ACK, LISTEN and SYNACK: no table row leads into them from another
  // state (IPVS enters LISTEN only for FTP, SYNACK only with secure_tcp).
  EXPECT_EQ(reachable(true).size(), 8u);
  check_all(nat, /*sees_replies=*/true);
}

TEST_F(StateMachine, DirectRoutingFollowsInputOnlyTableWithCounts) {
  EXPECT_EQ(reachable(false).size(), 6u);  // NONE SYN_RECV ESTABLISHED FIN_WAIT TIME_WAIT CLOSE
  check_all(dr, /*sees_replies=*/false);
}

TEST_F(StateMachine, FirstReplySwitchesDirectRoutingToInputTable) {
  // IP_VS_CONN_F_NOOUTPUT is dropped at the first reply: FIN in ESTABLISHED then gives
  // CLOSE_WAIT (INPUT) rather than FIN_WAIT (INPUT-ONLY).
  Connection c = insert(dr, 2000, at_seconds(0));
  c.on_packet(Direction::input, tcp_flag::syn, at_seconds(0));
  c.on_packet(Direction::output, tcp_flag::syn | tcp_flag::ack, at_seconds(0));
  c.on_packet(Direction::input, tcp_flag::ack, at_seconds(0));
  ASSERT_EQ(c.tcp_state(), TcpState::established);
  c.on_packet(Direction::input, tcp_flag::fin | tcp_flag::ack, at_seconds(0));
  EXPECT_EQ(c.tcp_state(), TcpState::close_wait);
}

TEST_F(StateMachine, SetTimeoutsApplyToTheNextPacket) {
  lab.table.timeouts().set(3600, 45, 0);
  Connection c = insert(nat, 2001, at_seconds(0));
  c.on_packet(Direction::input, tcp_flag::syn, at_seconds(0));
  c.on_packet(Direction::output, tcp_flag::syn | tcp_flag::ack, at_seconds(0));
  c.on_packet(Direction::input, tcp_flag::ack, at_seconds(1));
  EXPECT_EQ(c.expires_at(), at_seconds(3601));
  c.on_packet(Direction::output, tcp_flag::fin | tcp_flag::ack, at_seconds(2));
  ASSERT_EQ(c.tcp_state(), TcpState::fin_wait);
  EXPECT_EQ(c.expires_at(), at_seconds(47));
}

}  // namespace
}  // namespace vsd::conn

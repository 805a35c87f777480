// The transition tables of net/netfilter/ipvs/ip_vs_proto_tcp.c (tcp_states, the non-secure_tcp
// set) and the active states of its tcp_state_active_table.
#include "conn/tcp_state.h"

#include <array>

namespace vsd::conn {

namespace {

using enum TcpState;
using Row = std::array<TcpState, kTcpStateCount>;

// Rows per table: syn, fin, ack, rst. Columns: the current state, in enum order
// (NO ES SS SR FW TW CL CW LA LI SA).
constexpr std::array<std::array<Row, 4>, 3> kTables = {{
    {{
        // INPUT
        {syn_recv, established, established, syn_recv, syn_recv, syn_recv, syn_recv, syn_recv,
         syn_recv, syn_recv, syn_recv},
        {close, close_wait, syn_sent, time_wait, time_wait, time_wait, close, close_wait, last_ack,
         listen, time_wait},
        {established, established, syn_sent, established, fin_wait, time_wait, close, close_wait,
         close, listen, established},
        {close, close, close, syn_recv, close, close, close, close, last_ack, listen, syn_recv},
    }},
    {{
        // OUTPUT
        {syn_sent, established, syn_sent, syn_recv, syn_sent, syn_sent, syn_sent, syn_sent,
         syn_sent, listen, syn_recv},
        {time_wait, fin_wait, syn_sent, time_wait, fin_wait, time_wait, close, time_wait, last_ack,
         listen, time_wait},
        {established, established, syn_sent, established, fin_wait, time_wait, close, close_wait,
         last_ack, established, established},
        {close, close, syn_sent, close, close, time_wait, close, close, close, close, close},
    }},
    {{
        // INPUT-ONLY
        {syn_recv, established, established, syn_recv, syn_recv, syn_recv, syn_recv, syn_recv,
         syn_recv, syn_recv, syn_recv},
        {close, fin_wait, syn_sent, time_wait, fin_wait, time_wait, close, close_wait, last_ack,
         listen, time_wait},
        {established, established, syn_sent, established, fin_wait, time_wait, close, close_wait,
         close, listen, established},
        {close, close, close, syn_recv, close, close, close, close, last_ack, listen, close},
    }},
}};

constexpr std::array<std::string_view, kTcpStateCount> kNames = {
    "NONE",  "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
    "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "SYNACK"};

// ip_vs_proto_tcp.c's tcp_state_idx: RST outranks SYN, SYN outranks FIN, FIN outranks ACK.
int flag_row(uint8_t flags) {
  if (flags & tcp_flag::rst) return 3;
  if (flags & tcp_flag::syn) return 0;
  if (flags & tcp_flag::fin) return 1;
  if (flags & tcp_flag::ack) return 2;
  return -1;
}

}  // namespace

std::string_view to_string(TcpState state) {
  const auto i = static_cast<unsigned>(state);
  return i < kNames.size() ? kNames[i] : "ERR!";
}

bool is_active(TcpState state) {
  return state == established || state == syn_sent || state == syn_recv || state == synack;
}

TcpState next_tcp_state(TcpTable table, TcpState current, uint8_t flags) {
  const int row = flag_row(flags);
  const auto column = static_cast<unsigned>(current);
  if (row < 0 || column >= kTcpStateCount) return close;
  return kTables[static_cast<unsigned>(table)][static_cast<unsigned>(row)][column];
}

}  // namespace vsd::conn

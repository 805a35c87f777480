// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c ip_vs_in (is_new_conn,
// is_new_conn_expected, the conn_reuse_mode / expire_nodest_conn block before scheduling).
#include "conn/reuse.h"

namespace vsd::conn {

bool new_connection_expected(const Connection& old, unsigned conn_reuse_mode) {
  if (old.is_template() || old.controlled() || old.ip_protocol() != 6) return false;
  switch (old.tcp_state()) {
    case TcpState::time_wait:
    case TcpState::close:
      return true;
    case TcpState::fin_wait:
      return (conn_reuse_mode & 2) != 0 && !old.reply_seen();
    default:
      return false;
  }
}

bool reschedules_over(const Connection& old, uint8_t tcp_flags, const ReuseRules& rules) {
  if (!opens_connection(old.ip_protocol(), tcp_flags) || old.is_template()) return false;
  // Checked before conn_reuse_mode, and so also with mode 0 and for controlled connections.
  if (rules.expire_nodest_conn && old.destination().weight() == 0) return true;
  return rules.conn_reuse_mode != 0 && new_connection_expected(old, rules.conn_reuse_mode);
}

}  // namespace vsd::conn

#pragma once

#include <cstdint>

#include "conn/connection.h"

namespace vsd::conn {

// The net.ipv4.vs sysctls that decide when an old entry gives way to a new connection, with
// their kernel defaults (Documentation/networking/ipvs-sysctl.rst).
struct ReuseRules {
  // conn_reuse_mode: 0 sends a client's reused port to the old connection's real server; bit 1
  // (value 1) schedules afresh over TIME_WAIT and CLOSE; bit 2 (value 2) also over FIN_WAIT
  // while no reply was seen, the last state a DR or TUN director sees.
  unsigned conn_reuse_mode = 1;
  // expire_nodest_conn: a packet for a connection whose real server left the service expires
  // it (and is scheduled afresh if it may open one) instead of being dropped; a SYN over a
  // connection to a quiesced (weight 0) real server is scheduled afresh too.
  bool expire_nodest_conn = false;
  // expire_quiescent_template: a persistence template naming a quiesced real server is
  // dropped when a new connection would use it, so the client is scheduled afresh.
  bool expire_quiescent_template = false;
};

// IPVS is_new_conn: TCP with SYN (SCTP INIT is not handled by vsd). Any SYN counts, as in IPVS.
inline bool opens_connection(uint8_t ip_protocol, uint8_t tcp_flags) {
  return ip_protocol == 6 && (tcp_flags & tcp_flag::syn) != 0;
}

// IPVS is_new_conn_expected: a connection whose client may open a new one on the same port,
// under `conn_reuse_mode`. Never one under a persistence template.
bool new_connection_expected(const Connection& old, unsigned conn_reuse_mode);

// IPVS ip_vs_in, the conn_reuse_mode block: a packet with `tcp_flags` that opens a connection
// found `old` (not a later fragment: those never reach a lookup by ports). True when the old
// entry must be expired at once and the packet scheduled as a new connection. vsd keeps no
// conntrack entries, so the case where IPVS drops the first SYN instead (the old connection
// still owns a confirmed conntrack entry) never arises.
bool reschedules_over(const Connection& old, uint8_t tcp_flags, const ReuseRules& rules);

}  // namespace vsd::conn

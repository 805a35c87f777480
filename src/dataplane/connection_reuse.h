#pragma once

#include <cstdint>

#include "conn/connection_table.h"
#include "conn/reuse.h"
#include "core/snapshot.h"

namespace vsd::dataplane {

// IPVS ip_vs_in, between the connection lookup and scheduling: whether the entry `found` for
// an inbound packet (to `virtual_address`:`virtual_port`, with `tcp_flags`) must be expired at
// once so that the packet is scheduled afresh, as a new connection:
// - a SYN over an entry that expects a new connection (conn_reuse_mode), or over one whose
//   real server is quiesced (expire_nodest_conn);
// - with expire_nodest_conn, any packet of a connection whose real server is no longer in the
//   packet's service (one that was removed and then added back counts as still there, as
//   IPVS's restore from its trash list does). That check looks the service up, so it costs a
//   snapshot lookup per packet while expire_nodest_conn is on.
// No allocation, no lock; an established flow's packet (no SYN) costs one test by default.
bool retires_connection_slow(const conn::Connection& found, core::Protocol protocol,
                             const IpAddress& virtual_address, uint16_t virtual_port,
                             uint8_t tcp_flags, const core::Snapshot& snapshot,
                             const conn::ReuseRules& rules);

inline bool retires_connection(const conn::Connection& found, core::Protocol protocol,
                               const IpAddress& virtual_address, uint16_t virtual_port,
                               uint8_t tcp_flags, const core::Snapshot& snapshot,
                               const conn::ReuseRules& rules) {
  if ((tcp_flags & conn::tcp_flag::syn) == 0 && !rules.expire_nodest_conn) return false;
  return retires_connection_slow(found, protocol, virtual_address, virtual_port, tcp_flags,
                                 snapshot, rules);
}

}  // namespace vsd::dataplane

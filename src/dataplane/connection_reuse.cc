// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c ip_vs_in (the conn_reuse_mode block and
// the "check the server status" block with expire_nodest_conn, as in Linux 5.16 and later).
#include "dataplane/connection_reuse.h"

namespace vsd::dataplane {
namespace {

bool destination_in_service(const conn::Connection& found, core::Protocol protocol,
                            const IpAddress& virtual_address, uint16_t virtual_port,
                            const core::Snapshot& snapshot) {
  const core::ServiceView* service = snapshot.lookup(protocol, virtual_address, virtual_port);
  if (!service) return false;
  const core::RealServer& destination = found.destination();
  for (const core::RealServer* d : service->destinations) {
    if (d == &destination ||
        (d->address() == destination.address() && d->port() == destination.port()))
      return true;
  }
  return false;
}

}  // namespace

bool retires_connection_slow(const conn::Connection& found, core::Protocol protocol,
                             const IpAddress& virtual_address, uint16_t virtual_port,
                             uint8_t tcp_flags, const core::Snapshot& snapshot,
                             const conn::ReuseRules& rules) {
  if (conn::reschedules_over(found, tcp_flags, rules)) return true;
  return rules.expire_nodest_conn &&
         !destination_in_service(found, protocol, virtual_address, virtual_port, snapshot);
}

}  // namespace vsd::dataplane

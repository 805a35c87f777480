#pragma once

#include "common/time.h"
#include "conn/connection_table.h"
#include "conn/flow.h"
#include "conn/reuse.h"
#include "core/snapshot.h"

namespace vsd::conn {

struct NewConnection {
  enum class Result : uint8_t {
    created,
    existing,        // another worker created it a moment earlier; this is theirs
    no_destination,  // drop or reject the packet
    table_full,
    unsupported,  // SCTP, or a destination of another address family
  };
  Connection connection;
  Result result = Result::no_destination;
};

// What the data plane calls for a packet that opens a flow (for TCP, check
// tcp_starts_connection() first, as IPVS schedules only on SYN): persistence first, else the
// service's scheduler; then the connection, bound to the chosen destination with its
// forwarding method, counted in the service's and the destination's Conns, its first packet
// already run through the state machine.
NewConnection create_connection(ConnectionTable& table, const core::ServiceView& service,
                                const Flow& flow, Instant now, unsigned worker,
                                const ReuseRules& rules = {});

}  // namespace vsd::conn

#pragma once

#include <vector>

#include "api/schema.h"
#include "cli/arguments.h"
#include "cli/connection_listing.h"
#include "cli/daemon_listing.h"
#include "cli/listing_rows.h"
#include "common/result.h"

namespace vsd::cli {

// The API's JSON forms of what vsadm sends and reads, beyond api/schema.h: the tunnel settings
// of a destination ("tunnel": {"type": "gue", "port": 6080, "checksum": "remote"}), the sync
// daemon arguments and status, the persistence-engine data of a connection. A daemon that does
// not know a field leaves it out and the listing shows ipvsadm's default for it.

api::Json destination_json(const core::DestinationConfig& destination,
                           const TunnelSettings& tunnel);
api::Json start_daemon_json(const SyncDaemonRequest& request);
api::Json stop_daemon_json(const SyncDaemonRequest& request);

// {"services": [...]} from `list` as listing rows.
Result<std::vector<ServiceRow>> service_rows_from_json(const api::Json& list_result);
// {"connections": [...]} from `list-connections`.
Result<std::vector<ConnectionRow>> connection_rows_from_json(const api::Json& result);
// {"master": {...}|null, "backup": {...}|null} from `get-daemons`.
SyncDaemons sync_daemons_from_json(const api::Json& result);

}  // namespace vsd::cli

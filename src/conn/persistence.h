#pragma once

#include "common/time.h"
#include "conn/connection_table.h"
#include "conn/flow.h"
#include "core/snapshot.h"

namespace vsd::conn {

// The template a flow of a persistent service is keyed by (ip_vs_sched_persist): the client
// masked by the service's netmask/prefix, with the virtual port, or port 0 for an all-ports
// (port 0) service, or the fwmark for a fwmark service.
TemplateKey persistence_key(const core::ServiceConfig& service, const Flow& flow);

struct PersistentChoice {
  enum class Result : uint8_t { chosen, no_destination, table_full };
  Connection template_entry;  // pinned; the new connection is created under its control
  Result result = Result::no_destination;
};

// The destination for a new flow of a persistent service: the one its live template names, if
// that destination is still in the service (even quiesced, unless expire_quiescent_template);
// otherwise the scheduler's choice, recorded in a new template that lives for the service's
// persistence timeout.
PersistentChoice choose_persistent(ConnectionTable& table, const core::ServiceView& service,
                                   const Flow& flow, Instant now,
                                   bool expire_quiescent_template = false);

}  // namespace vsd::conn

// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c ip_vs_sched_persist, ip_vs_conn.c
// ip_vs_check_template (with expire_quiescent_template). The FTP special case (virtual port 21
// keyed as port 0) is left out: vsd has no FTP helper.
#include "conn/persistence.h"

#include <algorithm>

namespace vsd::conn {

namespace {

bool still_listed(const core::ServiceView& service, const core::RealServer& destination) {
  return std::find(service.destinations.begin(), service.destinations.end(), &destination) !=
         service.destinations.end();
}

}  // namespace

TemplateKey persistence_key(const core::ServiceConfig& service, const Flow& flow) {
  TemplateKey key;
  key.client = flow.client.masked(service.persistence_prefix);
  if (service.key.is_fwmark()) {
    key.ip_protocol = 0;
    key.fwmark = service.key.fwmark;
    return key;
  }
  key.ip_protocol = static_cast<uint8_t>(flow.protocol);
  key.virtual_address = flow.virtual_address;
  // A flow to the service's own port is keyed with it; a port-0 service keys every port as 0.
  key.virtual_port = flow.virtual_port == service.key.port ? flow.virtual_port : 0;
  return key;
}

PersistentChoice choose_persistent(ConnectionTable& table, const core::ServiceView& service,
                                   const Flow& flow, Instant now, bool expire_quiescent_template) {
  const core::ServiceConfig& config = service.config();
  const TemplateKey key = persistence_key(config, flow);
  PersistentChoice choice;
  Connection found = table.find_template(key, now);
  if (found && (!still_listed(service, found.destination()) ||
                (expire_quiescent_template && found.destination().weight() == 0))) {
    found.invalidate_template();
    found.reset();
  }
  if (found) {
    found.touch(now);
    choice.template_entry = std::move(found);
    choice.result = PersistentChoice::Result::chosen;
    return choice;
  }

  core::SchedulingInput input;
  input.protocol = flow.protocol;
  input.client_address = flow.client;
  input.client_port = flow.client_port;
  input.destination_address = flow.virtual_address;
  input.destination_port = flow.virtual_port;
  input.now = now;
  core::RealServer* destination = service.scheduler ? service.scheduler->schedule(input) : nullptr;
  if (!destination) return choice;

  const bool keyed_by_port = !config.key.is_fwmark() && flow.virtual_port == config.key.port;
  const uint16_t template_port = keyed_by_port ? destination->port() : 0;
  Insertion made =
      table.insert_template(key, *destination, template_port, config.persistence_timeout_s, now);
  if (made.result == Insertion::Result::table_full) {
    choice.result = PersistentChoice::Result::table_full;
    return choice;
  }
  if (!made.connection) return choice;
  // Another worker may have made the same template a moment earlier: theirs is used.
  if (made.result == Insertion::Result::existing) made.connection.touch(now);
  choice.template_entry = std::move(made.connection);
  choice.result = PersistentChoice::Result::chosen;
  return choice;
}

}  // namespace vsd::conn

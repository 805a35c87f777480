// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c ip_vs_schedule, ip_vs_sched_persist,
// ip_vs_conn_stats.
#include "conn/new_connection.h"

#include "conn/persistence.h"

namespace vsd::conn {

NewConnection create_connection(ConnectionTable& table, const core::ServiceView& service,
                                const Flow& flow, Instant now, unsigned worker,
                                const ReuseRules& rules) {
  NewConnection out;
  if (flow.protocol != core::Protocol::tcp && flow.protocol != core::Protocol::udp) {
    out.result = NewConnection::Result::unsupported;
    return out;
  }
  const core::ServiceConfig& config = service.config();

  Connection template_entry;
  core::RealServer* destination = nullptr;
  uint16_t destination_port = flow.virtual_port;
  if (config.persistent()) {
    PersistentChoice choice =
        choose_persistent(table, service, flow, now, rules.expire_quiescent_template);
    if (choice.result == PersistentChoice::Result::table_full) {
      out.result = NewConnection::Result::table_full;
      return out;
    }
    if (choice.result != PersistentChoice::Result::chosen) return out;
    template_entry = std::move(choice.template_entry);
    destination = &template_entry.destination();
    if (flow.virtual_port == config.key.port && destination->port() != 0)
      destination_port = destination->port();
  } else {
    core::SchedulingInput input;
    input.protocol = flow.protocol;
    input.client_address = flow.client;
    input.client_port = flow.client_port;
    input.destination_address = flow.virtual_address;
    input.destination_port = flow.virtual_port;
    input.now = now;
    destination = service.scheduler ? service.scheduler->schedule(input) : nullptr;
    if (!destination) return out;
    if (destination->port() != 0) destination_port = destination->port();
  }

  ConnectionSpec spec;
  spec.protocol = flow.protocol;
  spec.client = flow.client;
  spec.client_port = flow.client_port;
  spec.virtual_address = flow.virtual_address;
  spec.virtual_port = flow.virtual_port;
  spec.destination = destination;
  spec.destination_port = destination_port;
  spec.method = destination->method();
  spec.local = flow.local;
  spec.one_packet = (config.flags & core::service_flag::one_packet) != 0;
  spec.controlled_by = template_entry ? &template_entry : nullptr;
  Insertion made = table.insert_connection(spec, now);
  switch (made.result) {
    case Insertion::Result::table_full:
      out.result = NewConnection::Result::table_full;
      return out;
    case Insertion::Result::unsupported:
      out.result = NewConnection::Result::unsupported;
      return out;
    case Insertion::Result::created:
      destination->stats().add_connection(worker);
      destination->service().stats.add_connection(worker);
      out.result = NewConnection::Result::created;
      break;
    case Insertion::Result::existing:
      out.result = NewConnection::Result::existing;
      break;
  }
  made.connection.on_packet(Direction::input, flow.tcp_flags, now);
  out.connection = std::move(made.connection);
  return out;
}

}  // namespace vsd::conn

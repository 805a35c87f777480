#include "cli/commands.h"

#include "cli/connection_listing.h"
#include "cli/daemon_json.h"
#include "cli/daemon_listing.h"
#include "cli/error_text.h"
#include "cli/listing.h"
#include "cli/restore.h"
#include "cli/save_format.h"
#include "cli/timeout_listing.h"
#include "cli/usage_text.h"

namespace vsd::cli {

Status Session::open() {
  if (client_) return ok_status();
  auto client = api::Client::connect(path_);
  if (!client.ok()) return client.error();
  client_.emplace(std::move(*client));
  return ok_status();
}

Result<api::Json> Session::call(const std::string& op, const api::Json& args) {
  if (Status s = open(); !s.ok()) return s.error();
  return client_->call(op, args);
}

namespace {

Outcome printed(std::string out) {
  return Outcome{std::move(out), "", 0, false};
}

// ipvsadm's exit(1) after a failed read of the table, with the error's words.
Outcome listing_failed(const std::string& op, const Error& error) {
  return Outcome{"", error_text(op, error.code) + "\n", 1, true};
}

// A change the daemon refused: ipvsadm prints the error and returns -1 (exit status 255).
Outcome change(Session& session, const char* op, const api::Json& args) {
  auto result = session.call(op, args);
  if (result.ok()) return Outcome{};
  return Outcome{"", error_text(op, result.error().code) + "\n", 255, false};
}

api::Json service_args(const Command& c) {
  return {{"service", api::to_json(c.service.key)}};
}

Outcome list(const Command& c, Session& session, const Environment& env) {
  ListingOptions options = c.listing;
  options.names.resolver = env.resolver;
  if (c.has(Opt::connection)) {
    auto result = session.call(api::op::list_connections);
    if (!result.ok()) return listing_failed(api::op::list_connections, result.error());
    auto rows = connection_rows_from_json(*result);
    if (!rows.ok()) return listing_failed(api::op::list_connections, rows.error());
    return printed(format_connections(
        *rows, ConnectionListingOptions{options.names, c.has(Opt::persistent_conn)}));
  }
  if (c.has(Opt::service)) {
    auto result = session.call(api::op::list, service_args(c));
    if (!result.ok()) return listing_failed(api::op::list, result.error());
    auto rows = service_rows_from_json(*result);
    if (!rows.ok()) return listing_failed(api::op::list, rows.error());
    if (rows->empty()) return listing_failed(api::op::list, Error{"", ESRCH});
    return printed(format_service_listing(rows->front(), options));
  }
  if (c.has(Opt::timeout)) {
    auto result = session.call(api::op::get_timeouts);
    // ipvsadm exits 1 without a word when it cannot read the timeouts or the daemons.
    if (!result.ok()) return Outcome{"", "", 1, true};
    auto t = api::timeouts_from_json(*result);
    if (!t.ok()) return Outcome{"", "", 1, true};
    return printed(format_timeouts(Timeouts{static_cast<int>(t->tcp), static_cast<int>(t->tcp_fin),
                                            static_cast<int>(t->udp)}));
  }
  if (c.has(Opt::daemon)) {
    auto result = session.call(api::op::get_daemons);
    if (!result.ok()) return Outcome{"", "", 1, true};
    return printed(format_sync_daemons(sync_daemons_from_json(*result)));
  }
  auto result = session.call(api::op::list);
  if (!result.ok()) return listing_failed(api::op::list, result.error());
  auto rows = service_rows_from_json(*result);
  if (!rows.ok()) return listing_failed(api::op::list, rows.error());
  IpvsInfo info;
  if (result->contains("table_size") && (*result)["table_size"].is_number_unsigned())
    info.connection_table_size = (*result)["table_size"].get<unsigned>();
  return printed(format_listing(*rows, options, info));
}

Outcome save(const Command& c, Session& session, const Environment& env) {
  auto result = session.call(api::op::list);
  if (!result.ok()) return listing_failed(api::op::list, result.error());
  auto rows = service_rows_from_json(*result);
  if (!rows.ok()) return listing_failed(api::op::list, rows.error());
  NameStyle names = c.listing.names;
  names.resolver = env.resolver;
  return printed(format_save(*rows, names));
}

}  // namespace

Outcome execute(const Command& c, Session& session, const Environment& env, bool reading_stdin) {
  if (c.kind == CommandKind::restore) {
    // ipvsadm refuses -R inside -R rather than loop.
    if (reading_stdin || !env.input) return Outcome{"", try_help_text(env.program), 255, true};
    return restore(*env.input, session, env);
  }
  if (Status s = session.open(); !s.ok())
    return Outcome{"",
                   "Can't initialize ipvs: " + s.error().message +
                       "\nAre you sure that the vsd daemon is running?\n",
                   2, true};
  switch (c.kind) {
    case CommandKind::list:
      return list(c, session, env);
    case CommandKind::save:
      return save(c, session, env);
    case CommandKind::flush:
      return change(session, api::op::clear, api::Json::object());
    case CommandKind::add_service:
      return change(session, api::op::add_service, api::to_json(c.service));
    case CommandKind::edit_service:
      return change(session, api::op::edit_service, api::to_json(c.service));
    case CommandKind::delete_service:
      return change(session, api::op::delete_service, service_args(c));
    case CommandKind::zero:
      return change(session, api::op::zero,
                    c.has(Opt::service) ? service_args(c) : api::Json::object());
    case CommandKind::add_server:
    case CommandKind::edit_server: {
      api::Json args = service_args(c);
      args["destination"] = destination_json(c.destination, c.tunnel);
      return change(session,
                    c.kind == CommandKind::add_server ? api::op::add_server : api::op::edit_server,
                    args);
    }
    case CommandKind::delete_server: {
      api::Json args = service_args(c);
      args["destination"] = {{"address", c.destination.address.to_string()},
                             {"port", c.destination.port}};
      return change(session, api::op::delete_server, args);
    }
    case CommandKind::set_timeouts:
      return change(session, api::op::set_timeouts, api::to_json(c.timeouts));
    case CommandKind::start_daemon:
      return change(session, api::op::start_daemon, start_daemon_json(c.daemon));
    case CommandKind::stop_daemon:
      return change(session, api::op::stop_daemon, stop_daemon_json(c.daemon));
    case CommandKind::restore:
      break;
  }
  return Outcome{};
}

Outcome run_line(std::span<const std::string> words, Session& session, const Environment& env,
                 bool reading_stdin) {
  const NumericHostLookup numbers_only;
  Parsed parsed = parse_arguments(env.program, words, env.lookup ? *env.lookup : numbers_only);
  if (const Halt* halt = std::get_if<Halt>(&parsed))
    return Outcome{halt->out, halt->err, halt->status, halt->ends_program};
  return execute(std::get<Command>(parsed), session, env, reading_stdin);
}

Outcome run_vsadm(std::span<const std::string> words, Session& session, const Environment& env) {
  if (words.empty()) {
    // ipvsadm with no arguments lists the table, names resolved.
    Command list_all;
    list_all.kind = CommandKind::list;
    list_all.listing.names.numeric = false;
    return execute(list_all, session, env, false);
  }
  return run_line(words, session, env, false);
}

}  // namespace vsd::cli

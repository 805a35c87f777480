#include "config/parser.h"

#include <unordered_map>

#include "config/dataplane_parser.h"
#include "config/values.h"
#include "config/virtual_server_parser.h"
#include "config/vrrp_parser.h"

namespace vsd::config {

namespace {

void parse_lvs_timeouts(const Node& s, LvsTimeouts& t, Diagnostics& d) {
  for (size_t i = 0; i < s.args.size(); i += 2) {
    const std::string& which = s.args[i].text;
    auto v = integer_arg(s, i + 1, 0, 86400 * 365, d);
    if (!v) return;
    const auto seconds = static_cast<uint32_t>(*v);
    if (which == "tcp")
      t.tcp = seconds;
    else if (which == "tcpfin")
      t.tcpfin = seconds;
    else if (which == "udp")
      t.udp = seconds;
    else
      d.error(s.args[i].where, "lvs_timeouts: '" + which + "' is not tcp, tcpfin or udp");
  }
  if (s.args.empty()) d.error(s.where(), "lvs_timeouts needs at least one of tcp, tcpfin, udp");
}

void parse_sync_daemon(const Node& s, GlobalDefs& g, Diagnostics& d) {
  SyncDaemonConfig sync;
  auto interface = string_arg(s, 0, d);
  if (!interface) return;
  sync.interface = *interface;
  for (size_t i = 1; i < s.args.size(); ++i) {
    const std::string& k = s.args[i].text;
    if (k == "inst" ||
        (i == 1 && k != "id" && k != "maxlen" && k != "port" && k != "ttl" && k != "group")) {
      const size_t at = k == "inst" ? ++i : i;
      if (auto v = string_arg(s, at, d)) sync.instance = *v;
    } else if (k == "id") {
      if (auto v = integer_arg(s, ++i, 0, 255, d)) sync.sync_id = static_cast<uint32_t>(*v);
    } else if (k == "maxlen") {
      if (auto v = integer_arg(s, ++i, 1, 65507, d)) sync.max_length = static_cast<uint32_t>(*v);
    } else if (k == "port") {
      if (auto v = integer_arg(s, ++i, 1, 65535, d)) sync.port = static_cast<uint16_t>(*v);
    } else if (k == "ttl") {
      if (auto v = integer_arg(s, ++i, 1, 255, d)) sync.ttl = static_cast<uint32_t>(*v);
    } else if (k == "group") {
      sync.group = address_arg(s, ++i, d);
    } else {
      d.error(s.args[i].where, "lvs_sync_daemon: unknown option '" + k + "'");
    }
  }
  g.lvs_sync_daemon = sync;
}

void parse_global_defs(const Node& node, GlobalDefs& g, Diagnostics& d) {
  for (const Node& s : node.children) {
    const std::string& k = s.name();
    if (k == "router_id") {
      if (auto v = string_arg(s, 0, d)) g.router_id = *v;
    } else if (k == "notification_email") {
      for (const Node& e : s.children) g.notification_email.push_back(e.name());
    } else if (k == "notification_email_from") {
      if (auto v = string_arg(s, 0, d)) g.notification_email_from = *v;
    } else if (k == "smtp_server") {
      g.smtp_server = string_arg(s, 0, d);
      if (s.args.size() > 1) g.smtp_port = port_arg(s, 1, d);
    } else if (k == "lvs_timeouts") {
      parse_lvs_timeouts(s, g.lvs_timeouts, d);
    } else if (k == "lvs_sync_daemon") {
      parse_sync_daemon(s, g, d);
    } else {
      g.other.push_back(s);  // keepalived has ~150 global keywords; kept for later modules
    }
  }
}

std::optional<std::string> block_name(const Node& node, Diagnostics& d);

// keepalived's track_file (trackers/track_file.c): file PATH, weight W [reverse] (-254..254,
// default 1), init_file [VALUE] [overwrite].
std::optional<TrackFileConfig> parse_track_file(const Node& node, Diagnostics& d) {
  auto name = block_name(node, d);
  if (!name) return std::nullopt;
  TrackFileConfig file;
  file.name = *name;
  file.where = node.where();
  for (const Node& s : node.children) {
    const std::string& k = s.name();
    if (k == "file") {
      if (auto v = string_arg(s, 0, d)) file.path = *v;
    } else if (k == "weight") {
      if (auto v = integer_arg(s, 0, -254, 254, d)) file.weight = *v;
      if (s.args.size() > 1 && s.args[1].text == "reverse")
        file.reverse = true;
      else if (s.args.size() > 1)
        d.error(s.args[1].where, "unknown weight option '" + s.args[1].text + "' (reverse)");
    } else if (k == "init_file") {
      file.init_value = 0;
      for (size_t i = 0; i < s.args.size(); ++i) {
        if (s.args[i].text == "overwrite")
          file.init_overwrite = true;
        else if (auto v = integer_arg(s, i, INT32_MIN, INT32_MAX, d))
          file.init_value = *v;
      }
    } else {
      d.warning(s.where(), "unknown keyword '" + k + "' in track_file");
    }
  }
  if (file.path.empty()) {
    d.error(node.where(), "track_file " + file.name + " has no 'file PATH'");
    return std::nullopt;
  }
  return file;
}

// FILE_CHECK { track_file NAME } must name a track_file block (keepalived: "track_file %s not
// found"); each such checker gets a copy of the block it names.
void resolve_track_files(Configuration& config, Diagnostics& d) {
  for (auto& vs : config.virtual_servers)
    for (auto& rs : vs.real_servers)
      for (auto& checker : rs.checkers)
        for (const Node& s : checker.block.children) {
          if (checker.type != "FILE_CHECK" || s.name() != "track_file" || s.args.empty()) continue;
          for (const auto& f : config.track_files)
            if (f.name == s.args[0].text) checker.track_file = f;
          if (!checker.track_file)
            d.error(s.args[0].where, "track_file " + s.args[0].text + " not found");
        }
}

std::optional<std::string> block_name(const Node& node, Diagnostics& d) {
  if (!node.is_block) {
    d.error(node.where(), "'" + node.name() + "' needs a { } block");
    return std::nullopt;
  }
  return string_arg(node, 0, d);
}

// One top-level statement into the configuration.
void parse_statement(Node& node, Configuration& config, Diagnostics& d) {
  const std::string k = node.name();
  if (k == "global_defs") {
    parse_global_defs(node, config.global, d);
  } else if (k == "virtual_server") {
    if (auto vs = parse_virtual_server(node, d)) config.virtual_servers.push_back(std::move(*vs));
  } else if (k == "virtual_server_group") {
    auto name = block_name(node, d);
    auto members = parse_virtual_server_group(node, d);
    if (name && members) config.groups[*name] = std::move(*members);
  } else if (k == "vrrp_instance") {
    if (auto v = parse_vrrp_instance(node, d)) config.vrrp_instances.push_back(std::move(*v));
  } else if (k == "vrrp_script") {
    if (auto v = parse_vrrp_script(node, d)) config.vrrp_scripts.push_back(std::move(*v));
  } else if (k == "vrrp_sync_group") {
    if (auto g = parse_vrrp_sync_group(node, d)) config.vrrp_sync_groups.push_back(std::move(*g));
  } else if (k == "track_file" || k == "vrrp_track_file") {  // the second: the old name
    if (auto f = parse_track_file(node, d)) config.track_files.push_back(std::move(*f));
  } else if (k == "dataplane") {
    if (config.dataplane) d.error(node.where(), "dataplane given twice");
    config.dataplane = parse_dataplane(node, d);
  } else {
    d.warning(node.where(), "unknown keyword '" + k + "'");
  }
}

// What can be checked only once every statement is read.
std::optional<Configuration> checked(Configuration config, Diagnostics& d) {
  check_vrrp(config.vrrp_instances, config.vrrp_scripts, config.vrrp_sync_groups, d);
  resolve_track_files(config, d);
  for (const auto& vs : config.virtual_servers)
    if (!vs.group.empty() && !config.groups.count(vs.group))
      d.error(vs.where, "virtual_server group '" + vs.group + "' is not defined");
  if (!d.ok()) return std::nullopt;
  return config;
}

}  // namespace

std::optional<Configuration> parse_tree(std::vector<Node>&& tree, Diagnostics& d) {
  Configuration config;
  for (Node& node : tree) parse_statement(node, config, d);
  return checked(std::move(config), d);
}

namespace {

// The lexer hands each line to the block tree as it reads it, and the tree each top-level
// statement to the parser as soon as it is complete: a large file is never held whole as lines or
// as a tree, and each virtual_server's nodes are freed (and their memory reused) before the next
// is read. `read` is the lexer's read_file or read_string.
template <class Read>
std::optional<Configuration> read_and_parse(const LexOptions& options, Diagnostics& d,
                                            Read&& read) {
  Configuration config;
  // The parser's findings wait: the lexer's warnings come first, and they do not count at all if
  // the lexer or the braces fail (parse_tree's order).
  Diagnostics parsed;
  BlockTreeBuilder tree(
      [&config, &parsed](Node& statement) { parse_statement(statement, config, parsed); });
  Lexer lexer(options);
  Status lexed = read(lexer, [&tree](Line& line) { tree.add(line); });
  for (const auto& w : lexer.warnings()) d.add_warning(w);
  if (!lexed.ok()) {
    d.add_error(lexed.error().message);
    return std::nullopt;
  }
  if (auto rest = tree.finish(); !rest.ok()) {
    d.add_error(rest.error().message);
    return std::nullopt;
  }
  for (const auto& w : parsed.warnings()) d.add_warning(w);
  for (const auto& e : parsed.errors()) d.add_error(e);
  return checked(std::move(config), d);
}

}  // namespace

std::optional<Configuration> parse_text(const std::string& text, const std::string& name,
                                        const LexOptions& options, Diagnostics& d) {
  return read_and_parse(options, d, [&](Lexer& lexer, const LineSink& sink) {
    return lexer.read_string(text, name, sink);
  });
}

std::optional<Configuration> parse_file(const std::string& path, const LexOptions& options,
                                        Diagnostics& d) {
  return read_and_parse(
      options, d, [&](Lexer& lexer, const LineSink& sink) { return lexer.read_file(path, sink); });
}

std::vector<core::ServiceKey> service_keys(const VirtualServerConfig& vs,
                                           const Configuration& config) {
  if (vs.group.empty()) return {vs.service.key};
  std::vector<core::ServiceKey> keys;
  for (const GroupMember& m : config.groups.at(vs.group)) {
    if (m.fwmark) {
      keys.push_back(core::ServiceKey::firewall_mark(m.fwmark));
      continue;
    }
    const uint32_t first = m.address.is_v4() ? (m.address.v4_host_order() & 0xff) : 0;
    const uint32_t last = m.range_last_octet ? m.range_last_octet : first;
    for (uint32_t octet = first; octet <= last && octet <= 255; ++octet) {
      IpAddress a = m.address.is_v4()
                        ? IpAddress::v4((m.address.v4_host_order() & ~uint32_t{0xff}) | octet)
                        : m.address;
      keys.push_back(core::ServiceKey::virtual_address(vs.service.key.protocol, a, m.port));
    }
  }
  return keys;
}

namespace {

// Applies the configuration to a model of its own, reporting each broken rule at its line;
// collects the changes if asked.
std::unique_ptr<core::Model> build(const Configuration& config,
                                   const core::SchedulerCatalog& schedulers, Diagnostics& d,
                                   std::vector<core::Change>* collected) {
  auto model = std::make_unique<core::Model>(schedulers);
  core::Model& scratch = *model;
  std::unordered_map<core::ServiceKey, SourceLocation, core::ServiceKeyHash> defined_at;
  auto check = [&](core::Change change, const SourceLocation& where) {
    if (Status s = scratch.apply(change); !s.ok()) {
      d.error(where, s.error().message);
      return;
    }
    if (collected) collected->push_back(std::move(change));
  };
  // A service and its real servers go in as one batch: applied alone, each change would copy the
  // service's entry and commit it, which is quadratic in the real servers of a service. A batch
  // that breaks a rule is rejected whole, leaving the model as it was, and is then replayed one
  // change at a time so that every broken rule is still reported at its own line.
  std::vector<core::Change> batch;
  std::vector<const SourceLocation*> batch_lines;
  auto check_batch = [&] {
    if (scratch.apply(batch).ok()) {
      if (collected)
        collected->insert(collected->end(), std::make_move_iterator(batch.begin()),
                          std::make_move_iterator(batch.end()));
    } else {
      for (size_t i = 0; i < batch.size(); ++i) check(std::move(batch[i]), *batch_lines[i]);
    }
    batch.clear();
    batch_lines.clear();
  };
  for (const VirtualServerConfig& vs : config.virtual_servers) {
    for (const core::ServiceKey& key : service_keys(vs, config)) {
      if (auto [first, fresh] = defined_at.try_emplace(key, vs.where); !fresh) {
        d.error(vs.where,
                core::to_string(key) + ": service already defined at " + to_string(first->second));
        continue;
      }
      core::ServiceConfig service = vs.service;
      service.key = key;
      if (key.is_fwmark()) service.key.protocol = vs.service.key.protocol;
      if (key.family == AddressFamily::v6 && service.persistence_prefix == 32)
        service.persistence_prefix = 128;
      batch.push_back(core::AddService{service});
      batch_lines.push_back(&vs.where);
      for (const RealServerConfig& rs : vs.real_servers) {
        core::DestinationConfig dest = rs.destination;
        if (core::keeps_port(dest.method) && !key.is_fwmark() && dest.port != key.port) {
          // ipvsadm does the same silently; a config line that asks for it deserves a word.
          if (vs.group.empty())
            d.warning(rs.where, std::string(core::to_string(dest.method)) +
                                    " cannot change the port: real server uses " +
                                    std::to_string(key.port));
          dest.port = key.port;
        }
        batch.push_back(core::AddDestination{key, dest});
        batch_lines.push_back(&rs.where);
      }
      check_batch();
    }
  }
  if (!d.ok()) return nullptr;
  return model;
}

}  // namespace

std::optional<std::vector<core::Change>> to_changes(const Configuration& config,
                                                    const core::SchedulerCatalog& schedulers,
                                                    Diagnostics& d) {
  std::vector<core::Change> changes;
  if (!build(config, schedulers, d, &changes)) return std::nullopt;
  return changes;
}

std::unique_ptr<core::Model> to_model(const Configuration& config,
                                      const core::SchedulerCatalog& schedulers, Diagnostics& d) {
  return build(config, schedulers, d, nullptr);
}

}  // namespace vsd::config

#include "health/manager.h"

#include <algorithm>
#include <unordered_map>

#include "config/parser.h"
#include "health/track_file_init.h"

namespace vsd::health {

namespace {

std::string protocol_word(const core::ServiceKey& key) {
  switch (key.protocol) {
    case core::Protocol::udp:
      return "udp";
    case core::Protocol::sctp:
      return "sctp";
    default:
      return "tcp";
  }
}

// keepalived's FMT_RS / FMT_VS: "[10.0.0.2]:tcp:80"; "FWM 1" for a firewall-mark service.
std::string endpoint_name(const IpAddress& a, const core::ServiceKey& key, uint16_t port) {
  return "[" + a.to_string() + "]:" + protocol_word(key) + ":" + std::to_string(port);
}

std::string pool_name(const config::VirtualServerConfig& vs) {
  if (!vs.group.empty()) return "group " + vs.group;
  if (vs.service.key.is_fwmark()) return "FWM " + std::to_string(vs.service.key.fwmark);
  return endpoint_name(vs.service.key.address, vs.service.key, vs.service.key.port);
}

}  // namespace

Manager::Manager(Io& io, ScriptRunner& scripts, Logger& log, ManagerHooks hooks, uint64_t seed)
    : io_(io), scripts_(scripts), log_(log), hooks_(std::move(hooks)), jitter_(seed) {}

Manager::~Manager() = default;

size_t Manager::checker_count() const {
  return slots_.size();
}

std::string Manager::server_name(const Server& server) const {
  const auto& key = server.pool->services.front();
  return endpoint_name(server.health.config.address, key, server.health.config.port);
}

std::vector<ServerHealth> Manager::healths(const Pool& pool) const {
  std::vector<ServerHealth> out;
  for (const auto& s : pool.servers) out.push_back(s->health);
  return out;
}

std::vector<core::DestinationConfig> Manager::desired(const Pool& pool, size_t service) const {
  const auto servers = healths(pool);
  return desired_destinations(
      PoolView{servers, pool.quorum.up(), pool.sorry_server, pool.sorry_server_inhibit},
      pool.services[service]);
}

std::vector<core::Change> Manager::configure(const config::Configuration& config,
                                             config::Diagnostics& d) {
  std::unordered_map<std::string, CheckerSlot*> old_slots;
  std::unordered_map<std::string, Pool*> old_pools;
  for (const auto& pool : pools_) {
    old_pools[pool->key] = pool.get();
    for (const auto& server : pool->servers)
      for (const auto& slot : server->checkers) old_slots[slot->key] = slot.get();
  }
  std::vector<std::unique_ptr<Pool>> pools;
  std::map<const Checker*, CheckerSlot*> slots;
  std::vector<core::Change> adjustments;
  alert_policy_ = alert_policy(config.global, d);
  initialise_track_files(config.track_files, configured_, log_);
  configured_ = true;
  for (const config::VirtualServerConfig& vs : config.virtual_servers) {
    auto pool = std::make_unique<Pool>();
    pool->services = config::service_keys(vs, config);
    if (pool->services.empty()) continue;
    pool->name = pool_name(vs);
    for (const auto& key : pool->services) pool->key += core::to_string(key) + ";";
    pool->sorry_server = vs.sorry_server;
    pool->sorry_server_inhibit = vs.sorry_server_inhibit;
    pool->omega = vs.omega;
    pool->smtp_alert = alert_policy_.virtual_server(vs.smtp_alert);
    pool->quorum = Quorum(vs.quorum, vs.hysteresis);
    pool->quorum_up = vs.quorum_up;
    pool->quorum_down = vs.quorum_down;
    for (const config::RealServerConfig& rs : vs.real_servers) {
      auto server = std::make_unique<Server>();
      server->pool = pool.get();
      server->health.config = rs.destination;
      server->health.inhibit_on_failure = rs.inhibit_on_failure || vs.inhibit_on_failure;
      server->notify_up = rs.notify_up;
      server->notify_down = rs.notify_down;
      server->smtp_alert = alert_policy_.real_server(rs.smtp_alert);
      std::map<std::string, int> seen;
      for (const config::CheckerConfig& block : rs.checkers) {
        auto settings = read_checker(block, vs, rs, d);
        if (!settings) continue;
        auto slot = std::make_unique<CheckerSlot>();
        slot->server = server.get();
        slot->key = pool->key + "|" + to_string(rs.destination.endpoint()) + "|" +
                    settings->identity + "#" + std::to_string(seen[settings->identity]++);
        slot->settings = std::move(*settings);
        auto probe =
            slot->settings.spec->make(slot->settings.target, ProbeEnv{io_, scripts_, &files_});
        slot->checker =
            std::make_unique<Checker>(io_, slot->settings.timing, std::move(probe), *this);
        if (auto old = old_slots.find(slot->key); old != old_slots.end()) {
          slot->checker->adopt(*old->second->checker);
        } else {
          log_.info("Activating healthchecker for service " + server_name(*server) + " for VS " +
                    pool->name);
          slot->checker->start(jitter_);
        }
        slot->reported_up = slot->checker->up();
        slots[slot->checker.get()] = slot.get();
        server->checkers.push_back(std::move(slot));
      }
      for (const auto& slot : server->checkers)
        if (!slot->checker->up()) server->health.alive = false;
      server->health.dynamic_weight = checkers_weight(*server);
      pool->servers.push_back(std::move(server));
    }
    if (auto old = old_pools.find(pool->key); old != old_pools.end())
      pool->quorum.set_up(old->second->quorum.up());
    update_quorum(*pool);
    for (size_t i = 0; i < pool->services.size(); ++i) {
      std::vector<core::DestinationConfig> full;
      for (const auto& rs : vs.real_servers) {
        ServerHealth everyone_up;
        everyone_up.config = rs.destination;
        const std::vector<ServerHealth> one{everyone_up};
        const std::optional<core::DestinationConfig> none;
        for (const auto& dest :
             desired_destinations(PoolView{one, true, none, false}, pool->services[i]))
          full.push_back(dest);
      }
      pool->applied.push_back(desired(*pool, i));
      append_membership_changes(pool->services[i], full, pool->applied.back(), adjustments);
    }
    pools.push_back(std::move(pool));
  }
  // The old checkers go now; the ones carried over have taken their state and schedule.
  slots_ = std::move(slots);
  pools_ = std::move(pools);
  return adjustments;
}

std::optional<bool> Manager::alive(const core::ServiceKey& service, const Endpoint& server) const {
  for (const auto& pool : pools_)
    for (const auto& key : pool->services)
      if (key == service)
        for (const auto& s : pool->servers)
          if (s->health.config.endpoint() == server) return s->health.alive;
  return std::nullopt;
}

std::optional<Instant> Manager::next_check(const core::ServiceKey& service,
                                           const Endpoint& server) const {
  std::optional<Instant> next;
  for (const auto& pool : pools_)
    for (const auto& key : pool->services)
      if (key == service)
        for (const auto& s : pool->servers)
          if (s->health.config.endpoint() == server)
            for (const auto& slot : s->checkers)
              if (!next || slot->checker->next_due() < *next) next = slot->checker->next_due();
  return next;
}

void Manager::finished(Checker& checker, const ProbeResult& result, bool state_changed) {
  auto it = slots_.find(&checker);
  if (it == slots_.end()) return;
  CheckerSlot& slot = *it->second;
  Server& server = *slot.server;
  const std::string what = slot.settings.type + " on service " + server_name(server);
  if (!result.ok && checker.failed_attempts() > 0)
    log_.detail(what + " failed (" + result.detail + "); retry " +
                std::to_string(checker.failed_attempts()) + " of " +
                std::to_string(checker.timing().retry));
  if (!state_changed) return;
  if (result.ok) {
    log_.info(what + " success.");
  } else {
    log_.info(what + " failed: " + result.detail);
    log_.info("Check on service " + server_name(server) + " failed after " +
              std::to_string(checker.timing().retry) + " retries.");
  }
  alert_checker(slot, result, refresh(server));
}

// keepalived's checkers mail on each of their own transitions, in words of their own.
void Manager::alert_checker(CheckerSlot& slot, const ProbeResult& result, bool server_changed) {
  const bool up = slot.checker->up();
  if (up == slot.reported_up) return;  // a weight change only
  slot.reported_up = up;
  const Server& server = *slot.server;
  if (!hooks_.alert || !server.smtp_alert) return;
  if (!server_changed && alert_policy_.no_checker_emails) return;
  const std::string& type = slot.settings.type;
  std::string body;
  if (type == "HTTP_GET" || type == "SSL_GET" || type == "SMTP_CHECK") {
    body = up ? "=> CHECK succeed on service <="
              : "=> CHECK failed on service : " + result.detail + " <=";
  } else {
    const std::string name = type == "DNS_CHECK"    ? "DNS_CHECK:"
                             : type == "PING_CHECK" ? "ICMP CHECK"
                             : type == "TCP_CHECK"  ? "TCP CHECK"
                             : type == "UDP_CHECK"  ? "UDP CHECK"
                             : type == "MISC_CHECK" ? "MISC CHECK"
                                                    : "FILE CHECK";
    body = "=> " + name + (up ? " succeed" : " failed") + " on service <=";
  }
  hooks_.alert("Realserver " + server_name(server) + " of virtual server " + server.pool->name +
                   (server.health.alive ? " - UP" : " - DOWN"),
               body);
}

// keepalived's effective weight: a misc_dynamic weight replaces the configured one, FILE_CHECK
// offsets add to it, and IPVS gets it clamped to 0..65535 (ipwrapper.h real_weight()).
std::optional<int64_t> Manager::checkers_weight(const Server& server) {
  std::optional<int64_t> absolute;
  int64_t offset = 0;
  for (const auto& slot : server.checkers) {
    if (slot->checker->weight()) absolute = slot->checker->weight();
    offset += slot->checker->weight_offset();
  }
  if (!absolute && offset == 0) return std::nullopt;
  return std::clamp<int64_t>(absolute.value_or(server.health.config.weight) + offset, 0,
                             core::kMaxWeight);
}

bool Manager::refresh(Server& server) {
  bool alive = true;
  for (const auto& slot : server.checkers) alive = alive && slot->checker->up();
  const std::optional<int64_t> weight = checkers_weight(server);
  Pool& pool = *server.pool;
  const bool was_alive = server.health.alive;
  const std::string name = server_name(server);
  if (weight != server.health.dynamic_weight) {
    log_.info("Changing weight from " + std::to_string(server.health.weight()) + " to " +
              std::to_string(weight.value_or(server.health.config.weight)) + " for " +
              (server.health.alive ? "active" : "inactive") + " service " + name + " of VS " +
              pool.name);
    server.health.dynamic_weight = weight;
  }
  if (alive != server.health.alive) {
    server.health.alive = alive;
    const bool inhibit = server.health.inhibit_on_failure;
    log_.info(std::string(alive ? (inhibit ? "Enabling" : "Adding")
                                : (inhibit ? "Disabling" : "Removing")) +
              " service " + name + (alive ? " to VS " : " from VS ") + pool.name);
    const auto& script = alive ? server.notify_up : server.notify_down;
    if (script) run_script(*script, "service " + name + " in VS " + pool.name);
  }
  const bool changed = alive != was_alive;
  update_quorum(pool);
  publish(pool);
  return changed;
}

void Manager::update_quorum(Pool& pool) {
  const int64_t weight = live_weight(healths(pool));
  if (!pool.quorum.update(weight)) return;
  const int64_t q = pool.quorum.quorum(), h = pool.quorum.hysteresis();
  if (pool.quorum.up()) {
    log_.info("Gained quorum " + std::to_string(q) + "+" + std::to_string(h) + "=" +
              std::to_string(q + h) + " <= " + std::to_string(weight) + " for VS " + pool.name);
    if (pool.sorry_server)
      log_.info(std::string(pool.sorry_server_inhibit ? "Disabling" : "Removing") +
                " sorry server " +
                endpoint_name(pool.sorry_server->address, pool.services.front(),
                              pool.sorry_server->port) +
                " from VS " + pool.name);
    if (pool.quorum_up) run_script(*pool.quorum_up, "VS " + pool.name);
  } else {
    log_.info("Lost quorum " + std::to_string(q) + "-" + std::to_string(h) + "=" +
              std::to_string(q - h) + " > " + std::to_string(weight) + " for VS " + pool.name);
    if (pool.quorum_down) run_script(*pool.quorum_down, "VS " + pool.name);
    if (pool.sorry_server)
      log_.info(std::string(pool.sorry_server_inhibit ? "Enabling" : "Adding") + " sorry server " +
                endpoint_name(pool.sorry_server->address, pool.services.front(),
                              pool.sorry_server->port) +
                " to VS " + pool.name);
  }
  if (hooks_.alert && pool.smtp_alert) {
    const bool up = pool.quorum.up();
    hooks_.alert("Virtualserver " + pool.name + (up ? " - UP" : " - DOWN"),
                 std::string("=> ") + (up ? "Gained quorum " : "Lost quorum ") + std::to_string(q) +
                     "+" + std::to_string(h) + "=" + std::to_string(up ? q + h : q - h) +
                     " <= " + std::to_string(weight) + " <=");
  }
}

void Manager::publish(Pool& pool) {
  std::vector<core::Change> changes;
  for (size_t i = 0; i < pool.services.size(); ++i) {
    auto now = desired(pool, i);
    append_membership_changes(pool.services[i], pool.applied[i], now, changes);
    pool.applied[i] = std::move(now);
  }
  if (!changes.empty() && hooks_.apply) hooks_.apply(changes);
}

void Manager::run_script(const std::string& command, const std::string& what) {
  log_.info("Executing [" + command + "] for " + what);
  // notify scripts are not time-limited by keepalived either; they are reaped when they end.
  if (!scripts_.run(command, Duration{0}, [](const ScriptExit&) {}))
    log_.error("cannot run [" + command + "]");
}

// keepalived's ipwrapper.c clear_services() at stop: only omega virtual servers notify, each live
// real server (notify_down; a "=> Shutting down <=" mail with its smtp_alert) and then the
// virtual server itself (quorum_down while it had quorum; the mail with its smtp_alert, whatever
// its quorum).
void Manager::shutdown() {
  const std::string shutting_down = "=> Shutting down <=";
  for (const auto& pool : pools_) {
    if (!pool->omega) continue;
    for (const auto& server : pool->servers) {
      if (!server->health.alive) continue;
      if (server->notify_down) {
        log_.info("Executing [" + *server->notify_down + "] for service " + server_name(*server) +
                  " in VS " + pool->name);
        scripts_.run_detached(*server->notify_down);
      }
      if (hooks_.alert && server->smtp_alert)
        hooks_.alert(
            "Realserver " + server_name(*server) + " of virtual server " + pool->name + " - DOWN",
            shutting_down);
    }
    if (pool->quorum.up() && pool->quorum_down) {
      log_.info("Executing [" + *pool->quorum_down + "] for VS " + pool->name);
      scripts_.run_detached(*pool->quorum_down);
    }
    if (hooks_.alert && pool->smtp_alert)
      hooks_.alert("Virtualserver " + pool->name + " - DOWN", shutting_down);
  }
  slots_.clear();
  pools_.clear();
}

}  // namespace vsd::health

#include "config/vrrp_parser.h"

#include <map>

#include "config/values.h"

namespace vsd::config {

namespace {

// "192.168.200.16/24 dev eth1 label eth1:1 brd ... scope ..." (keepalived's ipaddress syntax).
std::optional<VirtualAddress> parse_virtual_address(const Node& s, Diagnostics& d) {
  VirtualAddress v;
  std::string text = s.name();
  const auto slash = text.find('/');
  if (slash != std::string::npos) {
    Node prefix{s.keyword, {Word{text.substr(slash + 1), false, s.where()}}, {}, false};
    text = text.substr(0, slash);
    auto p = integer_arg(prefix, 0, 0, 128, d);
    if (!p) return std::nullopt;
    v.prefix = static_cast<unsigned>(*p);
  }
  auto address = IpAddress::parse(text);
  if (!address) {
    d.error(s.where(), "'" + s.name() + "' is not an IP address");
    return std::nullopt;
  }
  if (v.prefix > address->max_prefix()) {
    d.error(s.where(), "prefix /" + std::to_string(v.prefix) + " is too long for " + text);
    return std::nullopt;
  }
  v.address = *address;
  for (size_t i = 0; i < s.args.size(); i += 2) {
    const std::string& key = s.args[i].text;
    if (i + 1 >= s.args.size()) {
      d.error(s.args[i].where, "'" + key + "' needs a value");
      return std::nullopt;
    }
    const std::string& value = s.args[i + 1].text;
    if (key == "dev")
      v.device = value;
    else if (key == "label")
      v.label = value;
    else if (key == "brd" || key == "scope" || key == "broadcast")
      continue;
    else
      d.warning(s.args[i].where, "unknown virtual address option '" + key + "'");
  }
  return v;
}

std::vector<TrackedScript> parse_track_scripts(const Node& block, Diagnostics& d) {
  std::vector<TrackedScript> out;
  for (const Node& s : block.children) {
    TrackedScript t{s.name(), std::nullopt, false};
    for (size_t i = 0; i < s.args.size(); ++i) {
      if (s.args[i].text == "weight") {
        if (auto w = integer_arg(s, ++i, -253, 253, d)) t.weight = static_cast<int>(*w);
      } else if (s.args[i].text == "reverse") {
        t.reverse = true;
      } else if (s.args[i].text != "noreverse") {
        d.warning(s.args[i].where, "unknown track_script option '" + s.args[i].text + "'");
      }
    }
    out.push_back(std::move(t));
  }
  return out;
}

// Reads one of the notify keywords into `n`; false if `s` is not one of them.
bool parse_notify(const Node& s, NotifyScripts& n, Diagnostics& d) {
  std::optional<std::string>* target = s.name() == "notify_master"   ? &n.master
                                       : s.name() == "notify_backup" ? &n.backup
                                       : s.name() == "notify_fault"  ? &n.fault
                                       : s.name() == "notify_stop"   ? &n.stop
                                       : s.name() == "notify"        ? &n.any
                                                                     : nullptr;
  if (!target) return false;
  *target = string_arg(s, 0, d);
  return true;
}

}  // namespace

std::optional<VrrpInstanceConfig> parse_vrrp_instance(const Node& node, Diagnostics& d) {
  VrrpInstanceConfig v;
  v.where = node.where();
  auto name = string_arg(node, 0, d);
  if (!name) return std::nullopt;
  v.name = *name;
  const size_t errors_before = d.errors().size();
  for (const Node& s : node.children) {
    const std::string& k = s.name();
    if (k == "state") {
      auto state = string_arg(s, 0, d);
      if (state && *state != "MASTER" && *state != "BACKUP")
        d.error(s.args[0].where, "state must be MASTER or BACKUP, not '" + *state + "'");
      v.initial_master = state && *state == "MASTER";
    } else if (k == "interface") {
      if (auto i = string_arg(s, 0, d)) v.interface = *i;
    } else if (k == "virtual_router_id") {
      if (auto id = integer_arg(s, 0, 1, 255, d)) v.virtual_router_id = static_cast<unsigned>(*id);
    } else if (k == "priority") {
      if (auto p = integer_arg(s, 0, 1, 255, d)) v.priority = static_cast<unsigned>(*p);
    } else if (k == "advert_int") {
      if (auto t = timer_arg_us(s, 0, d)) {
        if (*t < 10'000 || *t > 255'000'000)
          d.error(s.where(), "advert_int must be between 0.01 and 255 seconds");
        else
          v.advert_interval_us = *t;
      }
    } else if (k == "version") {
      if (auto ver = integer_arg(s, 0, 2, 3, d)) v.version = static_cast<unsigned>(*ver);
    } else if (k == "nopreempt") {
      v.preempt = false;
    } else if (k == "preempt_delay") {
      if (auto t = timer_arg_us(s, 0, d)) v.preempt_delay_us = *t;
    } else if (k == "use_vmac") {
      v.use_vmac = true;
    } else if (k == "authentication") {
      for (const Node& a : s.children) {
        if (a.name() == "auth_type") {
          auto type = string_arg(a, 0, d);
          if (type && *type != "PASS" && *type != "AH")
            d.error(a.args[0].where, "auth_type must be PASS or AH, not '" + *type + "'");
          else if (type)
            v.auth_type = *type;
        } else if (a.name() == "auth_pass") {
          if (auto pass = string_arg(a, 0, d)) {
            if (pass->size() > 8)
              d.warning(a.where(),
                        "auth_pass is longer than 8 characters; only the first 8 are used");
            v.auth_pass = pass->substr(0, 8);
          }
        } else {
          d.warning(a.where(), "unknown keyword '" + a.name() + "' in authentication");
        }
      }
    } else if (k == "virtual_ipaddress" || k == "virtual_ipaddress_excluded") {
      auto& list = k == "virtual_ipaddress" ? v.virtual_addresses : v.excluded_addresses;
      for (const Node& a : s.children)
        if (auto address = parse_virtual_address(a, d)) list.push_back(std::move(*address));
    } else if (k == "unicast_src_ip" || k == "mcast_src_ip") {
      if (k == "unicast_src_ip") v.unicast_source = address_arg(s, 0, d);
    } else if (k == "unicast_peer") {
      for (const Node& p : s.children) {
        if (auto a = IpAddress::parse(p.name()))
          v.unicast_peers.push_back(*a);
        else
          d.error(p.where(), "'" + p.name() + "' is not an IP address");
      }
    } else if (k == "track_interface") {
      for (const Node& i : s.children) v.track_interfaces.push_back(i.name());
    } else if (k == "track_script") {
      v.track_scripts = parse_track_scripts(s, d);
    } else if (k == "garp_master_delay") {
      if (auto t = timer_arg_us(s, 0, d)) v.garp_master_delay_us = *t;
    } else if (k == "garp_master_repeat") {
      if (auto r = integer_arg(s, 0, 1, 255, d)) v.garp_master_repeat = static_cast<unsigned>(*r);
    } else if (k == "smtp_alert") {
      if (auto b = bool_arg_or_true(s, 0, d)) v.smtp_alert = *b;
    } else if (parse_notify(s, v.notify, d)) {
    } else if (k == "dont_track_primary" || k == "accept" || k == "no_accept" ||
               k == "garp_master_refresh" || k == "garp_master_refresh_repeat" ||
               k == "lvs_sync_daemon_interface" || k == "virtual_routes" || k == "virtual_rules" ||
               k == "native_ipv6" || k == "debug" || k == "strict_mode") {
      // Accepted as keepalived does; not acted on yet.
    } else {
      d.warning(s.where(), "unknown keyword '" + k + "' in vrrp_instance");
    }
  }
  if (v.virtual_router_id == 0 && d.errors().size() == errors_before)
    d.error(v.where, "vrrp_instance " + v.name + " has no virtual_router_id");
  if (v.version == 3 && !v.auth_type.empty())
    d.warning(v.where, "VRRPv3 has no authentication; auth_type is ignored");
  if (d.errors().size() != errors_before) return std::nullopt;
  return v;
}

std::optional<VrrpScriptConfig> parse_vrrp_script(const Node& node, Diagnostics& d) {
  VrrpScriptConfig v;
  v.where = node.where();
  auto name = string_arg(node, 0, d);
  if (!name) return std::nullopt;
  v.name = *name;
  const size_t errors_before = d.errors().size();
  for (const Node& s : node.children) {
    const std::string& k = s.name();
    if (k == "script") {
      if (auto script = string_arg(s, 0, d)) v.script = *script;
    } else if (k == "interval") {
      if (auto t = timer_arg_us(s, 0, d)) v.interval_us = *t;
    } else if (k == "timeout") {
      if (auto t = timer_arg_us(s, 0, d)) v.timeout_us = *t;
    } else if (k == "weight") {
      if (auto w = integer_arg(s, 0, -253, 253, d)) v.weight = static_cast<int>(*w);
      v.reverse = s.args.size() > 1 && s.args[1].text == "reverse";
    } else if (k == "rise") {
      if (auto r = integer_arg(s, 0, 1, 1'000'000, d)) v.rise = static_cast<unsigned>(*r);
    } else if (k == "fall") {
      if (auto f = integer_arg(s, 0, 1, 1'000'000, d)) v.fall = static_cast<unsigned>(*f);
    } else if (k == "user") {
      if (auto u = string_arg(s, 0, d)) v.user = *u;
    } else if (k == "init_fail") {
      v.init_fail = true;
    } else {
      d.warning(s.where(), "unknown keyword '" + k + "' in vrrp_script");
    }
  }
  if (d.errors().size() != errors_before) return std::nullopt;
  if (v.script.empty()) {
    // keepalived drops such a script (a conditional "@id script ..." may leave one empty).
    d.warning(v.where, "vrrp_script " + v.name + " has no script; ignored");
    return std::nullopt;
  }
  return v;
}

std::optional<VrrpSyncGroupConfig> parse_vrrp_sync_group(const Node& node, Diagnostics& d) {
  VrrpSyncGroupConfig g;
  g.where = node.where();
  auto name = string_arg(node, 0, d);
  if (!name) return std::nullopt;
  g.name = *name;
  for (const Node& s : node.children) {
    const std::string& k = s.name();
    if (k == "group") {
      for (const Node& member : s.children) g.instances.push_back(member.name());
    } else if (k == "track_script") {
      g.track_scripts = parse_track_scripts(s, d);
    } else if (k == "smtp_alert") {
      if (auto b = bool_arg_or_true(s, 0, d)) g.smtp_alert = *b;
    } else if (parse_notify(s, g.notify, d)) {
    } else if (k == "track_interface" || k == "global_tracking" ||
               k == "sync_group_tracking_weight") {
      // Accepted as keepalived does; not acted on yet.
    } else {
      d.warning(s.where(), "unknown keyword '" + k + "' in vrrp_sync_group");
    }
  }
  if (g.instances.empty()) {
    // keepalived removes an empty group (old files list members without "group { }").
    d.warning(g.where, "vrrp_sync_group " + g.name + " has no group { } members; ignored");
    return std::nullopt;
  }
  return g;
}

void check_vrrp(const std::vector<VrrpInstanceConfig>& instances,
                const std::vector<VrrpScriptConfig>& scripts,
                const std::vector<VrrpSyncGroupConfig>& groups, Diagnostics& d) {
  std::map<std::pair<std::string, unsigned>, const VrrpInstanceConfig*> by_vrid;
  std::map<std::string, const VrrpInstanceConfig*> by_name;
  for (const auto& v : instances) {
    if (auto [it, fresh] = by_name.try_emplace(v.name, &v); !fresh)
      d.error(v.where,
              "vrrp_instance " + v.name + " is already defined at " + to_string(it->second->where));
    // Address families run separate VRRP instances, so a VRID is unique per interface and family.
    const bool v6 = !v.virtual_addresses.empty() && v.virtual_addresses.front().address.is_v6();
    const auto key = std::pair{v.interface + (v6 ? "/6" : "/4"), v.virtual_router_id};
    if (auto [it, fresh] = by_vrid.try_emplace(key, &v); !fresh)
      d.error(v.where, "virtual_router_id " + std::to_string(v.virtual_router_id) + " on " +
                           (v.interface.empty() ? "the default interface" : v.interface) +
                           " is already used by " + it->second->name);
  }
  std::map<std::string, bool> script_names;
  for (const auto& s : scripts) script_names[s.name] = true;
  auto check_tracks = [&](const std::vector<TrackedScript>& tracks, const SourceLocation& where) {
    for (const auto& t : tracks)
      if (!script_names.count(t.name))
        d.warning(where, "track_script " + t.name + " is not a defined vrrp_script; ignored");
  };
  for (const auto& v : instances) check_tracks(v.track_scripts, v.where);
  for (const auto& g : groups) {
    check_tracks(g.track_scripts, g.where);
    for (const auto& member : g.instances)
      if (!by_name.count(member))
        d.error(g.where, "vrrp_sync_group " + g.name + ": no vrrp_instance named " + member);
  }
}

}  // namespace vsd::config

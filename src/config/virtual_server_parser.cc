#include "config/virtual_server_parser.h"

#include <array>
#include <functional>
#include <string_view>

#include "config/values.h"

namespace vsd::config {

namespace {

using core::service_flag::persistent;

constexpr std::array kCheckers = {"HTTP_GET",   "SSL_GET",    "TCP_CHECK", "SMTP_CHECK",
                                  "DNS_CHECK",  "MISC_CHECK", "UDP_CHECK", "PING_CHECK",
                                  "ICMP_CHECK", "FILE_CHECK", "BFD_CHECK"};

bool is_checker(std::string_view name) {
  for (std::string_view c : kCheckers)
    if (c == name) return true;
  return false;
}

std::optional<core::ForwardMethod> method_arg(const Node& n, Diagnostics& d) {
  auto word = string_arg(n, 0, d);
  if (!word) return std::nullopt;
  // keepalived accepts NAT, DR and TUN; vsd adds FNAT for its full-NAT method.
  if (*word == "NAT") return core::ForwardMethod::masq;
  if (*word == "DR") return core::ForwardMethod::route;
  if (*word == "TUN") return core::ForwardMethod::tunnel;
  if (*word == "FNAT" || *word == "FULLNAT") return core::ForwardMethod::fullnat;
  d.error(n.args[0].where, "unknown forwarding method '" + *word + "' (NAT, DR, TUN or FNAT)");
  return std::nullopt;
}

// The checker timing keywords keepalived takes at real_server and virtual_server level
// (check_parser.c: retry, delay_before_retry, warmup, connect_timeout, delay_loop); true when `s`
// was one of them. The old nb_get_retry is a checker keyword only.
bool read_checker_default(const Node& s, CheckerDefaults& c, Diagnostics& d) {
  const std::string_view k = s.name();
  if (k == "delay_loop" || k == "connect_timeout") {
    auto us = timer_arg_us(s, 0, d);
    if (us && *us == 0)
      d.error(s.args[0].where, std::string(k) + " must be more than 0");
    else if (us)
      (k == "delay_loop" ? c.delay_loop_us : c.connect_timeout_us) = *us;
  } else if (k == "retry") {
    if (auto v = integer_arg(s, 0, 1, UINT32_MAX, d)) c.retry = static_cast<uint32_t>(*v);
  } else if (k == "delay_before_retry") {
    if (auto us = timer_arg_us(s, 0, d)) c.delay_before_retry_us = *us;
  } else if (k == "warmup") {
    if (auto us = timer_arg_us(s, 0, d)) c.warmup_us = *us;
  } else {
    return false;
  }
  return true;
}

void parse_real_server_body(Node& node, RealServerConfig& rs, Diagnostics& d) {
  for (Node& s : node.children) {
    // A string_view: its == checks the length before any call (see parse_virtual_server).
    const std::string_view k = s.name();
    if (k == "weight") {
      if (auto v = integer_arg(s, 0, 0, core::kMaxWeight, d)) rs.destination.weight = *v;
    } else if (k == "lb_kind" || k == "lvs_method") {
      if (auto m = method_arg(s, d)) {
        rs.destination.method = *m;
        rs.method_set = true;
      }
    } else if (k == "inhibit_on_failure") {
      if (auto b = bool_arg_or_true(s, 0, d)) rs.inhibit_on_failure = *b;
    } else if (k == "uthreshold") {
      if (auto v = integer_arg(s, 0, 0, UINT32_MAX, d))
        rs.destination.upper_threshold = static_cast<uint32_t>(*v);
    } else if (k == "lthreshold") {
      if (auto v = integer_arg(s, 0, 0, UINT32_MAX, d))
        rs.destination.lower_threshold = static_cast<uint32_t>(*v);
    } else if (k == "notify_up") {
      rs.notify_up = string_arg(s, 0, d);
    } else if (k == "notify_down") {
      rs.notify_down = string_arg(s, 0, d);
    } else if (k == "smtp_alert") {
      rs.smtp_alert = bool_arg_or_true(s, 0, d);
    } else if (is_checker(k)) {
      std::string type(k == "ICMP_CHECK" ? "PING_CHECK" : k);
      rs.checkers.push_back(CheckerConfig{std::move(type), std::move(s), std::nullopt});
    } else if (read_checker_default(s, rs.checker_defaults, d)) {
    } else if (k == "alpha") {
      rs.checker_defaults.alpha = bool_arg_or_true(s, 0, d);
    } else if (k == "virtualhost") {
      rs.checker_defaults.virtualhost = string_arg(s, 0, d);
    } else if (k == "log_all_failures") {
      // accepted as keepalived does; vsd logs every failed attempt at detail level anyway
    } else {
      d.warning(s.where(), "unknown keyword '" + std::string(k) + "' in real_server");
    }
  }
}

std::optional<RealServerConfig> parse_real_server(Node& s, const VirtualServerConfig& vs,
                                                  Diagnostics& d) {
  RealServerConfig rs;
  rs.where = s.where();
  auto address = address_arg(s, 0, d);
  if (!address) return std::nullopt;
  rs.destination.address = *address;
  // The port may be left out (DR/TUN, fwmark services): it is then the service's.
  rs.destination.port = vs.service.key.port;
  if (s.args.size() > 1) {
    auto port = port_arg(s, 1, d);
    if (!port) return std::nullopt;
    rs.destination.port = *port;
  }
  parse_real_server_body(s, rs, d);
  return rs;
}

bool parse_service_address(const Node& node, VirtualServerConfig& vs, Diagnostics& d) {
  if (node.args.empty()) {
    d.error(node.where(), "virtual_server needs an address and port, 'fwmark N' or 'group NAME'");
    return false;
  }
  const std::string& first = node.args[0].text;
  if (first == "group") {
    auto name = string_arg(node, 1, d);
    if (!name) return false;
    vs.group = *name;
    return true;
  }
  if (first == "fwmark") {
    auto mark = integer_arg(node, 1, 1, UINT32_MAX, d);
    if (!mark) return false;
    vs.service.key = core::ServiceKey::firewall_mark(static_cast<uint32_t>(*mark));
    return true;
  }
  auto address = address_arg(node, 0, d);
  if (!address) return false;
  auto port = port_arg(node, 1, d);
  if (!port) return false;
  vs.service.key = core::ServiceKey::virtual_address(core::Protocol::tcp, *address, *port);
  return true;
}

void parse_persistence_granularity(const Node& s, VirtualServerConfig& vs, Diagnostics& d) {
  auto text = string_arg(s, 0, d);
  if (!text) return;
  if (auto prefix = netmask_to_prefix(*text)) {
    vs.service.persistence_prefix = *prefix;
  } else if (auto v = integer_arg(s, 0, 1, 128, d)) {  // IPv6: a prefix length
    vs.service.persistence_prefix = static_cast<unsigned>(*v);
  }
}

}  // namespace

std::optional<VirtualServerConfig> parse_virtual_server(Node& node, Diagnostics& d) {
  VirtualServerConfig vs;
  vs.where = node.where();
  vs.service.persistence_timeout_s = 360;  // keepalived's default when persistence is on
  if (!parse_service_address(node, vs, d)) return std::nullopt;
  const size_t errors_before = d.errors().size();
  std::vector<Node*> real_servers;
  for (Node& s : node.children) {
    // A string_view: its == checks the length before any call, where std::string's compares the
    // characters; a large configuration runs each of its real_server statements down this chain.
    const std::string_view k = s.name();
    if (k == "lb_algo" || k == "lvs_sched") {
      if (auto v = string_arg(s, 0, d)) vs.service.scheduler = *v;
    } else if (k == "lb_kind" || k == "lvs_method") {
      vs.method = method_arg(s, d);
    } else if (k == "protocol") {
      auto p = string_arg(s, 0, d);
      if (!p) continue;
      if (*p == "TCP")
        vs.service.key.protocol = core::Protocol::tcp;
      else if (*p == "UDP")
        vs.service.key.protocol = core::Protocol::udp;
      else if (*p == "SCTP")
        vs.service.key.protocol = core::Protocol::sctp;
      else
        d.error(s.args[0].where, "unknown protocol '" + *p + "' (TCP, UDP or SCTP)");
    } else if (k == "persistence_timeout") {
      vs.service.flags |= persistent;
      if (!s.args.empty())
        if (auto v = integer_arg(s, 0, 1, UINT32_MAX, d))
          vs.service.persistence_timeout_s = static_cast<uint32_t>(*v);
    } else if (k == "persistence_granularity") {
      parse_persistence_granularity(s, vs, d);
    } else if (k == "persistence_engine") {
      if (auto v = string_arg(s, 0, d)) vs.service.persistence_engine = *v;
    } else if (k == "ops") {
      vs.service.flags |= core::service_flag::one_packet;
    } else if (k == "sh-fallback" || k == "mh-fallback" || k == "flag-1") {
      vs.service.flags |= core::service_flag::sched1;
    } else if (k == "sh-port" || k == "mh-port" || k == "flag-2") {
      vs.service.flags |= core::service_flag::sched2;
    } else if (k == "flag-3") {
      vs.service.flags |= core::service_flag::sched3;
    } else if (k == "delay_loop") {
      CheckerDefaults delay;
      if (read_checker_default(s, delay, d) && delay.delay_loop_us)
        vs.delay_loop_us = *delay.delay_loop_us;
    } else if (read_checker_default(s, vs.checker_defaults, d)) {
    } else if (k == "alpha") {
      vs.alpha = true;
    } else if (k == "omega") {
      vs.omega = true;
    } else if (k == "inhibit_on_failure") {
      if (auto b = bool_arg_or_true(s, 0, d)) vs.inhibit_on_failure = *b;
    } else if (k == "quorum") {
      if (auto v = integer_arg(s, 0, 1, UINT32_MAX, d)) vs.quorum = *v;
    } else if (k == "hysteresis") {
      if (auto v = integer_arg(s, 0, 0, UINT32_MAX, d)) vs.hysteresis = *v;
    } else if (k == "quorum_up") {
      vs.quorum_up = string_arg(s, 0, d);
    } else if (k == "quorum_down") {
      vs.quorum_down = string_arg(s, 0, d);
    } else if (k == "smtp_alert") {
      vs.smtp_alert = bool_arg_or_true(s, 0, d);
    } else if (k == "virtualhost") {
      vs.virtualhost = string_arg(s, 0, d);
    } else if (k == "ha_suspend") {
      vs.ha_suspend = true;
    } else if (k == "sorry_server") {
      auto a = address_arg(s, 0, d);
      auto p = port_arg(s, 1, d);
      if (a && p) {
        core::DestinationConfig sorry;
        sorry.address = *a;
        sorry.port = *p;
        vs.sorry_server = sorry;
      }
    } else if (k == "sorry_server_inhibit") {
      vs.sorry_server_inhibit = true;
    } else if (k == "real_server") {
      real_servers.push_back(&s);
    } else if (k == "hashed" || k == "sorry_server_lvs_method" || k == "log_all_failures") {
      // Accepted as keepalived does.
    } else {
      d.warning(s.where(), "unknown keyword '" + std::string(k) + "' in virtual_server");
    }
  }
  // Real servers after the rest: they inherit the port, protocol and method set above.
  vs.real_servers.reserve(real_servers.size());
  for (Node* s : real_servers) {
    const size_t given_args = s->args.size();
    auto rs = parse_real_server(*s, vs, d);
    if (!rs) continue;
    if (!rs->method_set) {
      if (!vs.method) {
        d.warning(vs.where,
                  "virtual server has no forwarding method; using NAT as keepalived does");
        vs.method = core::ForwardMethod::masq;
      }
      rs->destination.method = *vs.method;
    }
    if (core::keeps_port(rs->destination.method) && given_args < 2)
      rs->destination.port = vs.service.key.port;
    vs.real_servers.push_back(std::move(*rs));
  }
  if (vs.sorry_server && vs.method) vs.sorry_server->method = *vs.method;
  if (d.errors().size() != errors_before) return std::nullopt;
  return vs;
}

std::optional<std::vector<GroupMember>> parse_virtual_server_group(const Node& node,
                                                                   Diagnostics& d) {
  std::vector<GroupMember> members;
  for (const Node& s : node.children) {
    GroupMember m;
    if (s.name() == "fwmark") {
      auto mark = integer_arg(s, 0, 1, UINT32_MAX, d);
      if (!mark) continue;
      m.fwmark = static_cast<uint32_t>(*mark);
      members.push_back(m);
      continue;
    }
    // "10.0.0.1 80" or "10.0.0.1-10 80": the range replaces the last octet.
    std::string text = s.name();
    const auto dash = text.find('-');
    if (dash != std::string::npos) {
      const std::string last = text.substr(dash + 1);
      text = text.substr(0, dash);
      try {
        m.range_last_octet = static_cast<uint32_t>(std::stoul(last));
      } catch (...) {
        d.error(s.where(), "bad address range '" + s.name() + "'");
        continue;
      }
    }
    auto address = IpAddress::parse(text);
    if (!address) {
      d.error(s.where(), "'" + s.name() + "' is not an address in virtual_server_group");
      continue;
    }
    m.address = *address;
    if (s.args.empty()) {
      d.error(s.where(), "virtual_server_group member needs a port");
      continue;
    }
    Node port_node{s.keyword, s.args, {}, false};
    auto port = port_arg(port_node, 0, d);
    if (!port) continue;
    m.port = *port;
    members.push_back(m);
  }
  return members;
}

}  // namespace vsd::config

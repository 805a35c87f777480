#include "health/checker_settings.h"

#include "config/values.h"
#include "health/checkers.h"

namespace vsd::health {

std::unique_ptr<ProbeSpec> make_spec(const std::string& type) {
  if (type == "TCP_CHECK") return tcp_check_spec();
  if (type == "HTTP_GET") return http_get_spec(false);
  if (type == "SSL_GET") return http_get_spec(true);
  if (type == "MISC_CHECK") return misc_check_spec();
  if (type == "UDP_CHECK") return udp_check_spec();
  if (type == "DNS_CHECK") return dns_check_spec();
  if (type == "SMTP_CHECK") return smtp_check_spec();
  if (type == "FILE_CHECK") return file_check_spec();
  if (type == "PING_CHECK" || type == "ICMP_CHECK") return ping_check_spec();
  return nullptr;
}

namespace {

void append_text(const config::Node& n, std::string& out) {
  out += n.name();
  for (const config::Word& w : n.args) (out += ' ') += w.text;
  if (!n.is_block) return;
  out += " {";
  for (const config::Node& c : n.children) {
    out += ' ';
    append_text(c, out);
    out += ';';
  }
  out += " }";
}

Duration micros(int64_t us) {
  return microseconds(us);
}

// The keywords every checker shares; true when `s` was one of them.
bool read_common(const config::Node& s, CheckerSettings& c, config::Diagnostics& d) {
  const std::string& k = s.name();
  CheckTiming& t = c.timing;
  if (k == "connect_ip") {
    if (auto a = config::address_arg(s, 0, d)) c.target.destination.address = *a;
  } else if (k == "connect_port") {
    if (auto p = config::port_arg(s, 0, d)) c.target.destination.port = *p;
  } else if (k == "bindto") {
    c.target.bind_address = config::address_arg(s, 0, d);
  } else if (k == "bind_port") {
    if (auto p = config::port_arg(s, 0, d)) c.target.bind_port = *p;
  } else if (k == "connect_timeout") {
    // keepalived does not allow 0: it becomes one second
    if (auto us = config::timer_arg_us(s, 0, d)) t.connect_timeout = *us ? micros(*us) : seconds(1);
  } else if (k == "delay_loop") {
    if (auto us = config::timer_arg_us(s, 0, d)) t.delay_loop = micros(*us);
  } else if (k == "retry" || k == "nb_get_retry" || k == "nb_sock_retry") {
    if (auto v = config::integer_arg(s, 0, 0, UINT32_MAX, d)) t.retry = static_cast<unsigned>(*v);
  } else if (k == "delay_before_retry") {
    if (auto us = config::timer_arg_us(s, 0, d)) t.delay_before_retry = micros(*us);
  } else if (k == "warmup") {
    if (auto us = config::timer_arg_us(s, 0, d)) t.warmup = micros(*us);
  } else if (k == "alpha") {
    if (auto b = config::bool_arg_or_true(s, 0, d)) t.alpha = *b;
  } else if (k == "log_all_failures" || k == "bind_if" || k == "fwmark") {
    d.warning(s.where(), "'" + k + "' is accepted but has no effect in vsd");
  } else {
    return false;
  }
  return true;
}

// Timing written at real_server or virtual_server level; the checker's own keywords come after.
void inherit(const config::CheckerDefaults& from, CheckTiming& t) {
  if (from.delay_loop_us) t.delay_loop = micros(*from.delay_loop_us);
  if (from.connect_timeout_us) t.connect_timeout = micros(*from.connect_timeout_us);
  if (from.retry) t.retry = *from.retry;
  if (from.delay_before_retry_us) t.delay_before_retry = micros(*from.delay_before_retry_us);
  if (from.warmup_us) t.warmup = micros(*from.warmup_us);
  if (from.alpha) t.alpha = *from.alpha;
}

}  // namespace

std::string block_text(const config::Node& block) {
  std::string out;
  append_text(block, out);
  return out;
}

std::optional<CheckerSettings> read_checker(const config::CheckerConfig& checker,
                                            const config::VirtualServerConfig& vs,
                                            const config::RealServerConfig& rs,
                                            config::Diagnostics& d) {
  const size_t errors_before = d.errors().size();
  CheckerSettings c;
  c.type = checker.type == "ICMP_CHECK" ? "PING_CHECK" : checker.type;
  c.spec = make_spec(c.type);
  if (!c.spec) {
    d.warning(checker.block.where(), c.type + " is not supported by vsd; checker ignored");
    return std::nullopt;
  }
  c.timing.delay_loop = micros(vs.delay_loop_us);
  c.timing.alpha = vs.alpha;
  inherit(vs.checker_defaults, c.timing);
  inherit(rs.checker_defaults, c.timing);
  c.target.destination = rs.destination.endpoint();
  // DR and TUN real servers answer on the service's port.
  if (core::keeps_port(rs.destination.method) && !vs.service.key.is_fwmark())
    c.target.destination.port = vs.service.key.port;
  c.spec->inherit_virtualhost(rs.checker_defaults.virtualhost ? rs.checker_defaults.virtualhost
                                                              : vs.virtualhost);
  bool timeout_set = false;
  for (const config::Node& s : checker.block.children) {
    if (s.name() == "connect_timeout") timeout_set = true;
    if (read_common(s, c, d) || c.spec->read(s, d)) continue;
    d.warning(s.where(), "unknown keyword '" + s.name() + "' in " + c.type);
  }
  c.spec->use_track_file(checker.track_file);
  c.spec->finish(checker.block, d);
  if (c.spec->applies_at_once()) {
    c.timing.retry = 0;
    c.timing.alpha = false;
    c.timing.warmup = Duration{0};
  }
  if (auto own = c.spec->own_timeout())
    c.timing.connect_timeout = *own;
  else if (c.spec->times_out_at_delay_loop() && !timeout_set)
    c.timing.connect_timeout = c.timing.delay_loop;
  if (d.errors().size() != errors_before) return std::nullopt;
  c.identity = block_text(checker.block);
  return c;
}

void check_every_checker(const config::Configuration& config, config::Diagnostics& d) {
  for (const config::VirtualServerConfig& vs : config.virtual_servers)
    for (const config::RealServerConfig& rs : vs.real_servers)
      for (const config::CheckerConfig& checker : rs.checkers)
        [[maybe_unused]] auto settings = read_checker(checker, vs, rs, d);
}

}  // namespace vsd::health

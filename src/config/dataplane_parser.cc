#include "config/dataplane_parser.h"

#include <charconv>

#include "config/values.h"

namespace vsd::config {
namespace {

struct Prefix {
  IpAddress address;
  unsigned length = 0;
};

// "10.0.0.0/8", "2001:db8::/32", or an address alone (a host prefix).
std::optional<Prefix> prefix_arg(const Node& n, size_t i, Diagnostics& d) {
  auto text = string_arg(n, i, d);
  if (!text) return std::nullopt;
  const auto slash = text->find('/');
  auto address = IpAddress::parse(text->substr(0, slash));
  unsigned length = address ? address->max_prefix() : 0;
  bool ok = address.has_value();
  if (ok && slash != std::string::npos) {
    const char* begin = text->data() + slash + 1;
    const char* end = text->data() + text->size();
    auto [p, ec] = std::from_chars(begin, end, length);
    ok = ec == std::errc{} && p == end && begin != end && length <= address->max_prefix();
  }
  if (!ok) {
    d.error(n.args[i].where, "'" + n.name() + "': '" + *text + "' is not an address/prefix");
    return std::nullopt;
  }
  return Prefix{*address, length};
}

void parse_interface(const Node& s, DataplaneConfig& c, Diagnostics& d) {
  DataplaneInterfaceConfig itf;
  auto name = string_arg(s, 0, d);
  if (!name) return;
  itf.name = *name;
  itf.where = s.where();
  for (const Node& k : s.children) {
    const std::string& key = k.name();
    if (key == "mac") {
      auto text = string_arg(k, 0, d);
      if (!text) continue;
      itf.mac = parse_mac(*text);
      if (!itf.mac) d.error(k.args[0].where, "mac: '" + *text + "' is not a MAC address");
    } else if (key == "mtu") {
      if (auto v = integer_arg(k, 0, 68, 65535, d)) itf.mtu = static_cast<uint32_t>(*v);
    } else if (key == "address") {
      for (size_t i = 0; i < k.args.size(); ++i)
        if (auto p = prefix_arg(k, i, d)) itf.addresses.push_back({p->address, p->length});
      if (k.args.empty()) d.error(k.where(), "address needs ADDRESS/PREFIX");
    } else {
      d.error(k.where(), "interface: unknown keyword '" + key + "'");
    }
  }
  for (const auto& other : c.interfaces)
    if (other.name == itf.name) d.error(s.where(), "interface " + itf.name + " given twice");
  c.interfaces.push_back(std::move(itf));
}

// route PREFIX [via GATEWAY] dev NAME
void parse_route(const Node& s, DataplaneConfig& c, Diagnostics& d) {
  DataplaneRouteConfig r;
  r.where = s.where();
  auto p = prefix_arg(s, 0, d);
  if (!p) return;
  r.prefix = p->address;
  r.prefix_length = p->length;
  for (size_t i = 1; i < s.args.size(); i += 2) {
    const std::string& k = s.args[i].text;
    if (k == "via") {
      r.via = address_arg(s, i + 1, d);
    } else if (k == "dev") {
      if (auto v = string_arg(s, i + 1, d)) r.device = *v;
    } else {
      d.error(s.args[i].where, "route: '" + k + "' is not via or dev");
      return;
    }
  }
  if (r.device.empty()) d.error(s.where(), "route needs 'dev INTERFACE'");
  if (r.via && r.via->family() != r.prefix.family())
    d.error(s.where(), "route: the gateway's family differs from the prefix's");
  c.routes.push_back(std::move(r));
}

// neighbour ADDRESS MAC dev NAME
void parse_neighbour(const Node& s, DataplaneConfig& c, Diagnostics& d) {
  DataplaneNeighbourConfig n;
  n.where = s.where();
  auto address = address_arg(s, 0, d);
  auto mac_text = string_arg(s, 1, d);
  if (!address || !mac_text) return;
  auto mac = parse_mac(*mac_text);
  if (!mac) {
    d.error(s.args[1].where, "neighbour: '" + *mac_text + "' is not a MAC address");
    return;
  }
  n.address = *address;
  n.mac = *mac;
  if (s.args.size() >= 4 && s.args[2].text == "dev") {
    n.device = s.args[3].text;
  } else {
    d.error(s.where(), "neighbour needs 'dev INTERFACE'");
  }
  c.neighbours.push_back(std::move(n));
}

}  // namespace

std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view text) {
  std::array<uint8_t, 6> mac{};
  size_t at = 0;
  for (size_t i = 0; i < 6; ++i) {
    if (i > 0) {
      if (at >= text.size() || (text[at] != ':' && text[at] != '-')) return std::nullopt;
      ++at;
    }
    if (at + 2 > text.size()) return std::nullopt;
    auto [p, ec] = std::from_chars(text.data() + at, text.data() + at + 2, mac[i], 16);
    if (ec != std::errc{} || p != text.data() + at + 2) return std::nullopt;
    at += 2;
  }
  if (at != text.size()) return std::nullopt;
  return mac;
}

std::optional<DataplaneConfig> parse_dataplane(const Node& node, Diagnostics& d) {
  if (!node.is_block) {
    d.error(node.where(), "'dataplane' needs a { } block");
    return std::nullopt;
  }
  DataplaneConfig c;
  c.where = node.where();
  for (const Node& s : node.children) {
    const std::string& k = s.name();
    if (k == "backend") {
      auto v = string_arg(s, 0, d);
      if (v && (*v == "afpacket" || *v == "afxdp" || *v == "pcap"))
        c.backend = *v;
      else if (v)
        d.error(s.args[0].where, "backend: '" + *v + "' is not afpacket, afxdp or pcap");
    } else if (k == "workers") {
      if (auto v = integer_arg(s, 0, 1, 256, d)) c.workers = static_cast<unsigned>(*v);
    } else if (k == "xdp_mode") {
      auto v = string_arg(s, 0, d);
      if (v && (*v == "auto" || *v == "native" || *v == "generic"))
        c.xdp_mode = *v;
      else if (v)
        d.error(s.args[0].where, "xdp_mode: '" + *v + "' is not auto, native or generic");
    } else if (k == "interface") {
      parse_interface(s, c, d);
    } else if (k == "route") {
      parse_route(s, c, d);
    } else if (k == "neighbour" || k == "neighbor") {
      parse_neighbour(s, c, d);
    } else if (k == "fullnat_local_address") {
      for (size_t i = 0; i < s.args.size(); ++i)
        if (auto a = address_arg(s, i, d)) c.fullnat_local_addresses.push_back(*a);
      if (s.args.empty()) d.error(s.where(), "fullnat_local_address needs an address");
    } else if (k == "fullnat_port_range") {
      auto first = integer_arg(s, 0, 1, 65535, d);
      auto last = integer_arg(s, 1, 1, 65535, d);
      if (first && last && *first > *last) {
        d.error(s.where(), "fullnat_port_range: the first port is above the last");
      } else if (first && last) {
        c.fullnat_first_port = static_cast<uint16_t>(*first);
        c.fullnat_last_port = static_cast<uint16_t>(*last);
      }
    } else if (k == "fragment_timeout") {
      if (auto us = timer_arg_us(s, 0, d))
        c.fragment_timeout_ms = static_cast<uint32_t>(*us / 1000);
    } else if (k == "checksum_verify") {
      if (auto v = bool_arg_or_true(s, 0, d)) c.checksum_verify = *v;
    } else if (k == "kernel_routes") {
      if (auto v = bool_arg_or_true(s, 0, d)) c.kernel_routes = *v;
    } else if (k == "conn_reuse_mode") {
      // Bits 1 and 2 are the only ones IPVS reads.
      if (auto v = integer_arg(s, 0, 0, 3, d)) c.conn_reuse_mode = static_cast<unsigned>(*v);
    } else if (k == "expire_nodest_conn") {
      if (auto v = bool_arg_or_true(s, 0, d)) c.expire_nodest_conn = *v;
    } else if (k == "expire_quiescent_template") {
      if (auto v = bool_arg_or_true(s, 0, d)) c.expire_quiescent_template = *v;
    } else {
      d.error(s.where(), "dataplane: unknown keyword '" + k + "'");
    }
  }
  auto known = [&](const std::string& name) {
    for (const auto& i : c.interfaces)
      if (i.name == name) return true;
    return false;
  };
  for (const auto& r : c.routes)
    if (!r.device.empty() && !known(r.device))
      d.error(r.where, "route: interface '" + r.device + "' is not declared in dataplane");
  for (const auto& n : c.neighbours)
    if (!n.device.empty() && !known(n.device))
      d.error(n.where, "neighbour: interface '" + n.device + "' is not declared in dataplane");
  if (c.interfaces.empty()) d.error(node.where(), "dataplane needs at least one interface");
  return c;
}

}  // namespace vsd::config

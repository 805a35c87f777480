#include "cli/service_text.h"

namespace vsd::cli {

namespace {

std::string_view tunnel_checksum_short(TunnelChecksum checksum) {
  switch (checksum) {
    case TunnelChecksum::none:
      return "-c";
    case TunnelChecksum::checksum:
      return "+c";
    case TunnelChecksum::remote_checksum:
      return "r+c";
  }
  return "-c";
}

}  // namespace

bool has_scheduler_flags(const core::ServiceConfig& service) {
  return (service.flags & core::service_flag::sched_mask) != 0;
}

std::string scheduler_flags_text(const core::ServiceConfig& service) {
  namespace flag = core::service_flag;
  std::string out;
  auto add = [&out](bool set, std::string_view word) {
    if (!set) return;
    if (!out.empty()) out += ',';
    out += word;
  };
  const uint32_t f = service.flags;
  if (service.scheduler == "sh") {
    add(f & flag::sched1, "sh-fallback");
    add(f & flag::sched2, "sh-port");
  } else if (service.scheduler == "mh") {
    add(f & flag::sched1, "mh-fallback");
    add(f & flag::sched2, "mh-port");
  } else {
    add(f & flag::sched1, "flag-1");
    add(f & flag::sched2, "flag-2");
    add(f & flag::sched3, "flag-3");
  }
  return out;
}

std::optional<std::string> persistence_mask_text(const core::ServiceConfig& service) {
  if (service.key.family == AddressFamily::v6) {
    if (service.persistence_prefix == 128) return std::nullopt;
    return std::to_string(service.persistence_prefix);
  }
  if (service.persistence_prefix == 32) return std::nullopt;
  return prefix_to_netmask(service.persistence_prefix);
}

std::string_view forward_name(core::ForwardMethod method) {
  return core::to_string(method);
}

std::string_view forward_switch(core::ForwardMethod method) {
  switch (method) {
    case core::ForwardMethod::masq:
      return "-m";
    case core::ForwardMethod::tunnel:
      return "-i";
    case core::ForwardMethod::local:
    case core::ForwardMethod::route:
      return "-g";
    case core::ForwardMethod::fullnat:
      return "--fullnat";
  }
  return "-g";
}

std::string_view tunnel_type_name(TunnelType type) {
  switch (type) {
    case TunnelType::ipip:
      return "ipip";
    case TunnelType::gue:
      return "gue";
    case TunnelType::gre:
      return "gre";
  }
  return "ipip";
}

std::string_view tunnel_checksum_option(TunnelChecksum checksum) {
  switch (checksum) {
    case TunnelChecksum::none:
      return "--tun-nocsum";
    case TunnelChecksum::checksum:
      return "--tun-csum";
    case TunnelChecksum::remote_checksum:
      return "--tun-remcsum";
  }
  return "--tun-nocsum";
}

std::optional<std::string> tunnel_info_text(const DestinationRow& destination) {
  if (destination.config.method != core::ForwardMethod::tunnel) return std::nullopt;
  const TunnelSettings& t = destination.tunnel;
  std::string out(tunnel_type_name(t.type));
  if (t.type == TunnelType::gue) out += ":" + std::to_string(t.port);
  if (t.type != TunnelType::ipip) {
    out += ":";
    out += tunnel_checksum_short(t.checksum);
  }
  return out;
}

}  // namespace vsd::cli

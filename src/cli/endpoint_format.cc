#include "cli/endpoint_format.h"

#include <netinet/in.h>

namespace vsd::cli {

namespace {
constexpr size_t kIpvsadmNameBuffer = 60;  // addrport_to_anyname's malloc(60) + snprintf
}

const char* service_protocol_name(uint8_t ip_protocol) {
  switch (ip_protocol) {
    case IPPROTO_TCP:
      return "tcp";
    case IPPROTO_UDP:
      return "udp";
    case IPPROTO_SCTP:
      return "sctp";
    default:
      return "";
  }
}

std::string format_endpoint(const IpAddress& address, uint16_t port, uint8_t ip_protocol,
                            const NameStyle& style) {
  const NameResolver* resolver = style.effective();
  std::string host;
  std::string service;
  if (resolver) {
    if (auto name = resolver->host_name(address)) host = std::move(*name);
    const std::string_view proto = service_protocol_name(ip_protocol);
    if (!proto.empty())
      if (auto name = resolver->service_name(port, proto)) service = std::move(*name);
  }
  if (host.empty()) host = address.to_string();
  if (service.empty()) service = std::to_string(port);

  std::string out = address.is_v4() ? host : "[" + host + "]";
  out += ":";
  out += service;
  if (out.size() > kIpvsadmNameBuffer - 1) out.resize(kIpvsadmNameBuffer - 1);
  return out;
}

}  // namespace vsd::cli

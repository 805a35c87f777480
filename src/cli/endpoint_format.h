#pragma once

#include <cstdint>
#include <string>

#include "cli/name_resolver.h"
#include "common/address.h"

namespace vsd::cli {

// How addresses and ports are written: numerically (-n), or through a resolver. A null
// resolver behaves like a resolver that knows no names, which prints exactly what -n prints.
struct NameStyle {
  bool numeric = true;
  const NameResolver* resolver = nullptr;

  const NameResolver* effective() const { return numeric ? nullptr : resolver; }
};

// ipvsadm's addrport_to_anyname(): "host:port", "[host]:port" for IPv6 (also when host is a
// name), port names looked up for TCP/UDP/SCTP only (ip_protocol is the IP protocol number),
// and the result cut to 59 characters (ipvsadm formats into a 60-byte buffer).
std::string format_endpoint(const IpAddress& address, uint16_t port, uint8_t ip_protocol,
                            const NameStyle& style);

// The /etc/services protocol column for an IP protocol number, or "" if ipvsadm does not look
// names up for it.
const char* service_protocol_name(uint8_t ip_protocol);

}  // namespace vsd::cli

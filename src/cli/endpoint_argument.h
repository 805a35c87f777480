#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cli/host_lookup.h"
#include "common/address.h"

namespace vsd::cli {

// strtol-based number check of ipvsadm's string_to_number(): the whole word must be a base-10
// number (leading blanks and a sign allowed, as strtol takes them) within [min, max].
std::optional<long> parse_number(const std::string& text, long min, long max);

// inet_aton(): "a.b.c.d", "a.b.c", "a.b" or "a", each part decimal, octal (leading 0) or hex
// (0x). Returns the address in host order.
std::optional<uint32_t> parse_inet_aton(std::string_view text);

// What ipvsadm's parse_service() made of "-t/-u/-r host[:port]": the address (IPv6 in brackets
// when a port follows), and the port if one was given, by number or /etc/services name.
struct EndpointArgument {
  IpAddress address;
  std::optional<uint16_t> port;
};
std::optional<EndpointArgument> parse_endpoint_argument(const std::string& text,
                                                        uint8_t ip_protocol,
                                                        const HostLookup& lookup);

}  // namespace vsd::cli

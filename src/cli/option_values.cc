// Values of ipvsadm's options that need more than a number: netmasks, scheduler flags,
// multicast groups (ipvsadm.c: parse_sched_flags, the -M and --mcast-group checks).
#include "cli/option_values.h"

#include <arpa/inet.h>

#include <array>

#include "core/service.h"

namespace vsd::cli {

std::optional<unsigned> prefix_of_mask(uint32_t mask) {
  unsigned prefix = 0;
  while (prefix < 32 && (mask & (0x80000000u >> prefix))) ++prefix;
  const uint32_t expected = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  if (mask != expected) return std::nullopt;
  return prefix;
}

std::optional<uint32_t> parse_sched_flags(const std::string& scheduler, const std::string& text,
                                          std::string& error) {
  const std::string sched = scheduler.empty() ? "wlc" : scheduler;
  uint32_t flags = 0;
  size_t at = 0;
  while (at <= text.size()) {
    size_t comma = text.find(',', at);
    if (comma == std::string::npos) comma = text.size();
    const std::string flag = text.substr(at, comma - at);
    at = comma + 1;
    if (flag.empty()) continue;  // strtok skips empty fields
    std::string needs;
    if (flag == "flag-1") {
      flags |= core::service_flag::sched1;
    } else if (flag == "flag-2") {
      flags |= core::service_flag::sched2;
    } else if (flag == "flag-3") {
      flags |= core::service_flag::sched3;
    } else if (flag == "sh-fallback" || flag == "mh-fallback") {
      flags |= core::service_flag::sched1;
      needs = flag.substr(0, 2);
    } else if (flag == "sh-port" || flag == "mh-port") {
      flags |= core::service_flag::sched2;
      needs = flag.substr(0, 2);
    } else {
      error = "invalid scheduler flag `" + flag + "'";
      return std::nullopt;
    }
    if (!needs.empty() && sched != needs) {
      error = "incompatible scheduler flag `" + flag + "'";
      return std::nullopt;
    }
  }
  return flags;
}

std::optional<IpAddress> parse_mcast_group(const std::string& text) {
  if (text.find(':') != std::string::npos) {
    std::array<uint8_t, 16> v6{};
    if (inet_pton(AF_INET6, text.c_str(), v6.data()) <= 0 || v6[0] != 0xff) return std::nullopt;
    return IpAddress::v6(v6);
  }
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) <= 0) return std::nullopt;
  const uint32_t host = ntohl(v4.s_addr);
  if ((host & 0xf0000000u) != 0xe0000000u) return std::nullopt;
  return IpAddress::v4(host);
}

}  // namespace vsd::cli

#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/address.h"

namespace vsd::cli {

// The prefix length of a dotted IPv4 netmask (-M 255.255.255.0 -> 24); nullopt unless its ones
// are contiguous from the top, as ipvsadm requires.
std::optional<unsigned> prefix_of_mask(uint32_t mask);

// ipvsadm's -b/--sched-flags: a comma-separated list of flag-1..3, sh-fallback, sh-port,
// mh-fallback, mh-port for `scheduler` (wlc when none was given). nullopt with ipvsadm's own
// message in `error` for an unknown flag or one of another scheduler.
std::optional<uint32_t> parse_sched_flags(const std::string& scheduler, const std::string& text,
                                          std::string& error);

// --mcast-group: an IPv4 (224.0.0.0/4) or IPv6 (ff00::/8) multicast address.
std::optional<IpAddress> parse_mcast_group(const std::string& text);

}  // namespace vsd::cli

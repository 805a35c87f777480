#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/address.h"
#include "config/block_tree.h"
#include "config/diagnostics.h"

namespace vsd::config {

// Argument readers for keyword handlers: each reports a located error and returns nullopt when
// the argument is missing or malformed.
std::optional<std::string> string_arg(const Node& n, size_t i, Diagnostics& d);
std::optional<int64_t> integer_arg(const Node& n, size_t i, int64_t min, int64_t max,
                                   Diagnostics& d);
// keepalived <TIMER>: seconds with an optional fraction, kept in microseconds.
std::optional<int64_t> timer_arg_us(const Node& n, size_t i, Diagnostics& d);
// keepalived <BOOL>: on|off|true|false|yes|no; a keyword given alone means true.
std::optional<bool> bool_arg_or_true(const Node& n, size_t i, Diagnostics& d);
std::optional<IpAddress> address_arg(const Node& n, size_t i, Diagnostics& d);
std::optional<uint16_t> port_arg(const Node& n, size_t i, Diagnostics& d);

}  // namespace vsd::config

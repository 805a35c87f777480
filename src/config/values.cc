#include "config/values.h"

#include <charconv>
#include <cmath>

namespace vsd::config {

namespace {
const Word* arg(const Node& n, size_t i, Diagnostics& d, const char* what) {
  if (i < n.args.size()) return &n.args[i];
  d.error(n.where(), "'" + n.name() + "' needs " + what);
  return nullptr;
}
}  // namespace

std::optional<std::string> string_arg(const Node& n, size_t i, Diagnostics& d) {
  const Word* w = arg(n, i, d, "a value");
  if (!w) return std::nullopt;
  return w->text;
}

std::optional<int64_t> integer_arg(const Node& n, size_t i, int64_t min, int64_t max,
                                   Diagnostics& d) {
  const Word* w = arg(n, i, d, "a number");
  if (!w) return std::nullopt;
  int64_t value = 0;
  const char* end = w->text.data() + w->text.size();
  auto [p, ec] = std::from_chars(w->text.data(), end, value);
  if (ec != std::errc{} || p != end) {
    d.error(w->where, "'" + n.name() + "': '" + w->text + "' is not a number");
    return std::nullopt;
  }
  if (value < min || value > max) {
    d.error(w->where, "'" + n.name() + "': " + w->text + " is outside " + std::to_string(min) +
                          ".." + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> timer_arg_us(const Node& n, size_t i, Diagnostics& d) {
  const Word* w = arg(n, i, d, "a time in seconds");
  if (!w) return std::nullopt;
  double seconds = 0;
  const char* end = w->text.data() + w->text.size();
  auto [p, ec] = std::from_chars(w->text.data(), end, seconds);
  if (ec != std::errc{} || p != end || !(seconds >= 0) || seconds > 1e9) {
    d.error(w->where, "'" + n.name() + "': '" + w->text + "' is not a time in seconds");
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(seconds * 1e6));
}

std::optional<bool> bool_arg_or_true(const Node& n, size_t i, Diagnostics& d) {
  if (i >= n.args.size()) return true;
  const std::string& t = n.args[i].text;
  if (t == "on" || t == "true" || t == "yes") return true;
  if (t == "off" || t == "false" || t == "no") return false;
  d.error(n.args[i].where,
          "'" + n.name() + "': '" + t + "' is not one of on|off|true|false|yes|no");
  return std::nullopt;
}

std::optional<IpAddress> address_arg(const Node& n, size_t i, Diagnostics& d) {
  const Word* w = arg(n, i, d, "an IP address");
  if (!w) return std::nullopt;
  auto a = IpAddress::parse(w->text);
  if (!a) d.error(w->where, "'" + n.name() + "': '" + w->text + "' is not an IP address");
  return a;
}

std::optional<uint16_t> port_arg(const Node& n, size_t i, Diagnostics& d) {
  auto v = integer_arg(n, i, 0, 65535, d);
  if (!v) return std::nullopt;
  return static_cast<uint16_t>(*v);
}

}  // namespace vsd::config

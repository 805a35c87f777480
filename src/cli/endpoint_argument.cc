#include "cli/endpoint_argument.h"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace vsd::cli {

std::optional<long> parse_number(const std::string& text, long min, long max) {
  errno = 0;
  char* end = nullptr;
  const long number = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || end == text.c_str() || errno == ERANGE) return std::nullopt;
  if (number < min || number > max) return std::nullopt;
  return number;
}

namespace {

// One part of an inet_aton address, with C's base prefixes; nullopt if it has no digit or a
// digit the base does not have.
std::optional<uint64_t> aton_part(std::string_view text, size_t& at) {
  unsigned base = 10;
  if (at < text.size() && text[at] == '0') {
    base = 8;
    ++at;
    if (at < text.size() && (text[at] == 'x' || text[at] == 'X')) {
      base = 16;
      ++at;
    }
  }
  uint64_t value = 0;
  while (at < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    unsigned digit = 0;
    if (std::isdigit(c))
      digit = c - '0';
    else if (base == 16 && std::isxdigit(c))
      digit = static_cast<unsigned>(std::tolower(c) - 'a' + 10);
    else
      break;
    if (digit >= base) return std::nullopt;
    value = value * base + digit;
    if (value > 0xffffffffULL) return std::nullopt;
    ++at;
  }
  // A lone "0" or "0x" is zero, as in glibc.
  return value;
}

}  // namespace

std::optional<uint32_t> parse_inet_aton(std::string_view text) {
  std::array<uint64_t, 4> parts{};
  size_t count = 0;
  size_t at = 0;
  while (true) {
    if (at >= text.size() || !std::isdigit(static_cast<unsigned char>(text[at])))
      return std::nullopt;
    auto part = aton_part(text, at);
    if (!part) return std::nullopt;
    parts[count++] = *part;
    if (at < text.size() && text[at] == '.') {
      if (count == 4) return std::nullopt;
      ++at;
      continue;
    }
    break;
  }
  // Trailing text is allowed only after white space, as glibc allows it.
  if (at < text.size() && !std::isspace(static_cast<unsigned char>(text[at]))) return std::nullopt;
  // The last part fills the bytes the earlier ones left.
  static constexpr std::array<uint64_t, 4> kLastPartMax = {0xffffffff, 0xffffff, 0xffff, 0xff};
  if (parts[count - 1] > kLastPartMax[count - 1]) return std::nullopt;
  uint64_t value = parts[count - 1];
  for (size_t i = 0; i + 1 < count; ++i) {
    if (parts[i] > 0xff) return std::nullopt;
    value |= parts[i] << (24 - 8 * i);
  }
  return static_cast<uint32_t>(value);
}

std::optional<EndpointArgument> parse_endpoint_argument(const std::string& text,
                                                        uint8_t ip_protocol,
                                                        const HostLookup& lookup) {
  // A word of digits only is a port without an address, which ipvsadm refuses.
  bool digits_only = true;
  for (char c : text) digits_only = digits_only && std::isdigit(static_cast<unsigned char>(c));
  if (digits_only) return std::nullopt;

  std::string host = text;
  std::optional<std::string> port_text;
  if (host[0] == '[') {
    const size_t close = host.find(']');
    if (close == std::string::npos || close + 1 >= host.size() || host[close + 1] != ':')
      return std::nullopt;
    port_text = host.substr(close + 2);
    host = host.substr(1, close - 1);
  }
  EndpointArgument out;
  std::array<uint8_t, 16> v6{};
  if (inet_pton(AF_INET6, host.c_str(), v6.data()) > 0) {
    out.address = IpAddress::v6(v6);
  } else {
    // ipvsadm looks for the port colon only in what it reads as an IPv4 host, so a bracketed
    // IPv4 address ("[10.0.0.1]:80") loses its port there; so it does here.
    port_text.reset();
    const size_t colon = host.rfind(':');
    if (colon != std::string::npos) {
      port_text = host.substr(colon + 1);
      host.resize(colon);
    }
    if (auto v4 = parse_inet_aton(host))
      out.address = IpAddress::v4(*v4);
    else if (auto named = lookup.ipv4_address(host))
      out.address = *named;
    else
      return std::nullopt;
  }
  if (port_text) {
    if (auto number = parse_number(*port_text, 0, 65535))
      out.port = static_cast<uint16_t>(*number);
    else if (auto named = lookup.port(*port_text, ip_protocol))
      out.port = *named;
    else
      return std::nullopt;
  }
  return out;
}

}  // namespace vsd::cli

#include "common/address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vsd {

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress a;
  a.family_ = AddressFamily::v4;
  a.bytes_[0] = static_cast<uint8_t>(host_order >> 24);
  a.bytes_[1] = static_cast<uint8_t>(host_order >> 16);
  a.bytes_[2] = static_cast<uint8_t>(host_order >> 8);
  a.bytes_[3] = static_cast<uint8_t>(host_order);
  return a;
}

IpAddress IpAddress::v6(const std::array<uint8_t, 16>& network_order) {
  IpAddress a;
  a.family_ = AddressFamily::v6;
  a.bytes_ = network_order;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return std::nullopt;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  IpAddress a;
  if (inet_pton(AF_INET, buffer, a.bytes_.data()) == 1) {
    a.family_ = AddressFamily::v4;
    return a;
  }
  if (inet_pton(AF_INET6, buffer, a.bytes_.data()) == 1) {
    a.family_ = AddressFamily::v6;
    return a;
  }
  return std::nullopt;
}

bool IpAddress::is_unspecified() const {
  for (uint8_t b : bytes_)
    if (b != 0) return false;
  return true;
}

uint32_t IpAddress::v4_host_order() const {
  return (uint32_t{bytes_[0]} << 24) | (uint32_t{bytes_[1]} << 16) | (uint32_t{bytes_[2]} << 8) |
         uint32_t{bytes_[3]};
}

IpAddress IpAddress::masked(unsigned prefix_len) const {
  IpAddress out = *this;
  const unsigned bits = std::min(prefix_len, max_prefix());
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned first_bit = i * 8;
    if (first_bit >= bits) {
      out.bytes_[i] = 0;
    } else if (bits - first_bit < 8) {
      out.bytes_[i] &= static_cast<uint8_t>(0xff << (8 - (bits - first_bit)));
    }
  }
  return out;
}

std::string IpAddress::to_string() const {
  char buffer[INET6_ADDRSTRLEN];
  inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), buffer, sizeof(buffer));
  return buffer;
}

std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
  if (a.family_ != b.family_) return a.family_ <=> b.family_;
  const int c = std::memcmp(a.bytes_.data(), b.bytes_.data(), a.bytes_.size());
  return c <=> 0;
}

std::optional<Endpoint> parse_endpoint(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // bare IPv6 needs []
  }
  auto address = IpAddress::parse(host);
  if (!address) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc{} || end != port.data() + port.size() || value > 65535) return std::nullopt;
  return Endpoint{*address, static_cast<uint16_t>(value)};
}

std::string to_string(const Endpoint& endpoint) {
  const std::string host = endpoint.address.to_string();
  const std::string port = std::to_string(endpoint.port);
  return endpoint.address.is_v4() ? host + ":" + port : "[" + host + "]:" + port;
}

std::optional<unsigned> netmask_to_prefix(std::string_view netmask) {
  auto address = IpAddress::parse(netmask);
  if (!address || !address->is_v4()) return std::nullopt;
  const uint32_t mask = address->v4_host_order();
  const unsigned prefix = static_cast<unsigned>(__builtin_popcount(mask));
  const uint32_t expected = prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  if (mask != expected) return std::nullopt;
  return prefix;
}

std::string prefix_to_netmask(unsigned prefix_len) {
  const uint32_t mask = prefix_len == 0 ? 0 : ~uint32_t{0} << (32 - std::min(prefix_len, 32u));
  return IpAddress::v4(mask).to_string();
}

}  // namespace vsd

#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vsd {

enum class AddressFamily : uint8_t { v4 = 4, v6 = 6 };

// An IPv4 or IPv6 address, a small value type. IPv4 addresses are kept in the first four bytes
// (network order) with the rest zero, so that equality and hashing never need the family twice.
class IpAddress {
 public:
  constexpr IpAddress() = default;

  static IpAddress v4(uint32_t host_order);
  static IpAddress v6(const std::array<uint8_t, 16>& network_order);
  // Accepts dotted quads and RFC 4291 text; brackets are not accepted here (see parse_endpoint).
  static std::optional<IpAddress> parse(std::string_view text);

  AddressFamily family() const { return family_; }
  bool is_v4() const { return family_ == AddressFamily::v4; }
  bool is_v6() const { return family_ == AddressFamily::v6; }
  bool is_unspecified() const;
  unsigned max_prefix() const { return is_v4() ? 32 : 128; }
  uint32_t v4_host_order() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  // The address with all bits past prefix_len cleared (persistence netmask, IPv6 prefix).
  IpAddress masked(unsigned prefix_len) const;
  std::string to_string() const;

  friend bool operator==(const IpAddress&, const IpAddress&) = default;
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b);

 private:
  std::array<uint8_t, 16> bytes_{};
  AddressFamily family_ = AddressFamily::v4;
};

// "1.2.3.4:80" or "[::1]:80": the form ipvsadm prints and accepts.
struct Endpoint {
  IpAddress address;
  uint16_t port = 0;
  friend bool operator==(const Endpoint&, const Endpoint&) = default;
};
std::optional<Endpoint> parse_endpoint(std::string_view text);
std::string to_string(const Endpoint& endpoint);

// A dotted netmask ("255.255.255.0") to a prefix length; nullopt if the mask is not contiguous.
std::optional<unsigned> netmask_to_prefix(std::string_view netmask);
std::string prefix_to_netmask(unsigned prefix_len);

}  // namespace vsd

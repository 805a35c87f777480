#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/address.h"

namespace vsd::cli {

// Where the argument parser turns names into numbers, as ipvsadm does for "-t www:http":
// host names to IPv4 addresses (gethostbyname) and service names to ports (getservbyname).
// The parser asks this interface so that it stays free of I/O; vsadm passes the system's.
class HostLookup {
 public:
  virtual ~HostLookup() = default;
  virtual std::optional<IpAddress> ipv4_address(const std::string& host) const = 0;
  // ip_protocol is 6, 17 or 132; other protocols have no service names.
  virtual std::optional<uint16_t> port(const std::string& service, uint8_t ip_protocol) const = 0;
};

// The system's resolver (/etc/hosts, DNS, /etc/services).
class SystemHostLookup final : public HostLookup {
 public:
  std::optional<IpAddress> ipv4_address(const std::string& host) const override;
  std::optional<uint16_t> port(const std::string& service, uint8_t ip_protocol) const override;
};

// A lookup that knows no names: only numeric addresses and ports are accepted.
class NumericHostLookup final : public HostLookup {
 public:
  std::optional<IpAddress> ipv4_address(const std::string&) const override { return {}; }
  std::optional<uint16_t> port(const std::string&, uint8_t) const override { return {}; }
};

}  // namespace vsd::cli

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/address.h"

namespace vsd::cli {

// Where listings get names from when -n is not given. ipvsadm asks the system resolver
// (gethostbyaddr, getservbyport); the listing code asks this interface instead, so that the
// daemon-side or test-side caller decides where names come from. A lookup that finds nothing
// returns nullopt and the listing falls back to the number, as ipvsadm does.
class NameResolver {
 public:
  virtual ~NameResolver() = default;
  virtual std::optional<std::string> host_name(const IpAddress& address) const = 0;
  // protocol is "tcp", "udp" or "sctp" (the /etc/services column).
  virtual std::optional<std::string> service_name(uint16_t port,
                                                  std::string_view protocol) const = 0;
};

// The system's resolver: reverse DNS / /etc/hosts through getnameinfo, /etc/services through
// getservbyport_r. Slow (it may query DNS), so only for the command line.
class SystemNameResolver final : public NameResolver {
 public:
  std::optional<std::string> host_name(const IpAddress& address) const override;
  std::optional<std::string> service_name(uint16_t port, std::string_view protocol) const override;
};

}  // namespace vsd::cli

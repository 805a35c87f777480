#pragma once

// Test support: a HostLookup answering from fixed tables (it stands in for /etc/hosts, DNS and
// /etc/services, not for vsd code), so that parsing names is deterministic.
#include <map>
#include <string>
#include <utility>

#include "cli/host_lookup.h"

namespace vsd::testing {

class HostTable final : public cli::HostLookup {
 public:
  HostTable& host(const std::string& name, const std::string& address) {
    hosts_[name] = *IpAddress::parse(address);
    return *this;
  }
  HostTable& service(const std::string& name, uint8_t protocol, uint16_t port) {
    ports_[{name, protocol}] = port;
    return *this;
  }
  std::optional<IpAddress> ipv4_address(const std::string& name) const override {
    auto it = hosts_.find(name);
    if (it == hosts_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<uint16_t> port(const std::string& name, uint8_t protocol) const override {
    auto it = ports_.find({name, protocol});
    if (it == ports_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::map<std::string, IpAddress> hosts_;
  std::map<std::pair<std::string, uint8_t>, uint16_t> ports_;
};

}  // namespace vsd::testing

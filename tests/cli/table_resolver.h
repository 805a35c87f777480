#pragma once

// Test support: a NameResolver answering from fixed tables, so that listings without -n are
// deterministic. It stands in for the system resolver (DNS, /etc/services), not for vsd code.
#include <map>
#include <string>
#include <utility>

#include "cli/name_resolver.h"

namespace vsd::testing {

class TableResolver final : public cli::NameResolver {
 public:
  TableResolver& host(const std::string& address, std::string name) {
    hosts_[*IpAddress::parse(address)] = std::move(name);
    return *this;
  }
  TableResolver& service(uint16_t port, const std::string& protocol, std::string name) {
    services_[{port, protocol}] = std::move(name);
    return *this;
  }
  std::optional<std::string> host_name(const IpAddress& address) const override {
    ++lookups;
    auto it = hosts_.find(address);
    if (it == hosts_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> service_name(uint16_t port, std::string_view protocol) const override {
    ++lookups;
    auto it = services_.find({port, std::string(protocol)});
    if (it == services_.end()) return std::nullopt;
    return it->second;
  }

  mutable int lookups = 0;

 private:
  std::map<IpAddress, std::string> hosts_;
  std::map<std::pair<uint16_t, std::string>, std::string> services_;
};

}  // namespace vsd::testing

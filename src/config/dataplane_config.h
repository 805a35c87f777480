#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/address.h"
#include "config/lexer.h"

namespace vsd::config {

// vsd's own `dataplane { }` block (keepalived has none; see vsd.conf(5)). Without it vsd runs
// its control plane only.
struct DataplaneInterfaceConfig {
  std::string name;
  std::optional<std::array<uint8_t, 6>> mac;  // live: read from the kernel when not given
  std::optional<uint32_t> mtu;
  struct Address {
    IpAddress address;
    unsigned prefix_length = 0;
  };
  std::vector<Address> addresses;  // the director's own, with their on-link prefix
  SourceLocation where;
};

struct DataplaneRouteConfig {
  IpAddress prefix;
  unsigned prefix_length = 0;
  std::optional<IpAddress> via;
  std::string device;
  SourceLocation where;
};

struct DataplaneNeighbourConfig {
  IpAddress address;
  std::array<uint8_t, 6> mac{};
  std::string device;
  SourceLocation where;
};

struct DataplaneConfig {
  std::string backend = "afpacket";  // afpacket | afxdp | pcap
  unsigned workers = 1;
  std::string xdp_mode = "auto";  // afxdp: auto | native | generic
  std::vector<DataplaneInterfaceConfig> interfaces;
  std::vector<DataplaneRouteConfig> routes;
  std::vector<DataplaneNeighbourConfig> neighbours;
  std::vector<IpAddress> fullnat_local_addresses;
  uint16_t fullnat_first_port = 1024;
  uint16_t fullnat_last_port = 65535;
  uint32_t fragment_timeout_ms = 2000;
  bool checksum_verify = true;
  bool kernel_routes = true;  // live: take routes and neighbours from rtnetlink too
  // IPVS's net.ipv4.vs sysctls of the same names, with their kernel defaults.
  unsigned conn_reuse_mode = 1;
  bool expire_nodest_conn = false;
  bool expire_quiescent_template = false;
  SourceLocation where;
};

}  // namespace vsd::config

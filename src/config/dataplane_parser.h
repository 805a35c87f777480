#pragma once

#include <optional>

#include "config/block_tree.h"
#include "config/dataplane_config.h"
#include "config/diagnostics.h"

namespace vsd::config {

// "dataplane { backend ...; workers N; interface NAME [{ mac, mtu, address A/LEN }]; route
// PREFIX/LEN [via GW] dev NAME; neighbour ADDR MAC dev NAME; fullnat_local_address A...;
// fullnat_port_range FIRST LAST; fragment_timeout SECONDS; checksum_verify on|off;
// kernel_routes on|off; xdp_mode auto|native|generic }".
std::optional<DataplaneConfig> parse_dataplane(const Node& node, Diagnostics& d);

// "02:00:00:00:00:01"
std::optional<std::array<uint8_t, 6>> parse_mac(std::string_view text);

}  // namespace vsd::config

#pragma once

#include <optional>

#include "config/configuration.h"
#include "config/diagnostics.h"

namespace vsd::config {

// keepalived's LVS blocks: "virtual_server IP PORT | fwmark N | group NAME { ... }" and
// "virtual_server_group NAME { ... }". Old and new spellings are both accepted (lb_algo and
// lvs_sched, lb_kind and lvs_method).
// Checker blocks are moved out of `node` into the result.
std::optional<VirtualServerConfig> parse_virtual_server(Node& node, Diagnostics& d);
std::optional<std::vector<GroupMember>> parse_virtual_server_group(const Node& node,
                                                                   Diagnostics& d);

}  // namespace vsd::config

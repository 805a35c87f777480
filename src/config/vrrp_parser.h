#pragma once

#include <optional>
#include <vector>

#include "config/block_tree.h"
#include "config/diagnostics.h"
#include "config/vrrp_config.h"

namespace vsd::config {

std::optional<VrrpInstanceConfig> parse_vrrp_instance(const Node& node, Diagnostics& d);
std::optional<VrrpScriptConfig> parse_vrrp_script(const Node& node, Diagnostics& d);
std::optional<VrrpSyncGroupConfig> parse_vrrp_sync_group(const Node& node, Diagnostics& d);

// Rules across blocks: a VRID is used once per interface; sync group members and tracked
// scripts exist (an unknown tracked script is a warning, as keepalived ignores it).
void check_vrrp(const std::vector<VrrpInstanceConfig>& instances,
                const std::vector<VrrpScriptConfig>& scripts,
                const std::vector<VrrpSyncGroupConfig>& groups, Diagnostics& d);

}  // namespace vsd::config

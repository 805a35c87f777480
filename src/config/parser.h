#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/configuration.h"
#include "config/diagnostics.h"
#include "config/lexer.h"
#include "core/model.h"

namespace vsd::config {

// Reads a keepalived.conf (or vsd.conf) into a Configuration. Every problem is reported in
// `d` with file:line; the result is empty when there was any error.
std::optional<Configuration> parse_file(const std::string& path, const LexOptions& options,
                                        Diagnostics& d);
std::optional<Configuration> parse_text(const std::string& text, const std::string& name,
                                        const LexOptions& options, Diagnostics& d);
// Consumes the tree: checker and VRRP blocks are moved into the configuration, not copied.
std::optional<Configuration> parse_tree(std::vector<Node>&& tree, Diagnostics& d);

// The model changes that build the configuration's services from nothing, checked against the
// model's rules (a scratch model, so nothing live is touched); a rule broken is reported at the
// line of the virtual_server or real_server that breaks it.
// The services one virtual_server stands for: itself, or one per member of its group.
std::vector<core::ServiceKey> service_keys(const VirtualServerConfig& vs,
                                           const Configuration& config);

std::optional<std::vector<core::Change>> to_changes(const Configuration& config,
                                                    const core::SchedulerCatalog& schedulers,
                                                    Diagnostics& d);
// The same check, handing back the model it built (the daemon diffs it against the running one).
std::unique_ptr<core::Model> to_model(const Configuration& config,
                                      const core::SchedulerCatalog& schedulers, Diagnostics& d);

}  // namespace vsd::config

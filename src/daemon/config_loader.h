#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/configuration.h"
#include "config/diagnostics.h"
#include "config/lexer.h"
#include "core/model.h"

namespace vsd::daemon {

// Reads a configuration file into a model of its own (never the running one), reporting every
// problem with file:line. Used by -t, at start and on SIGHUP.
struct LoadedConfiguration {
  config::Configuration configuration;
  std::unique_ptr<core::Model> model;
};
std::optional<LoadedConfiguration> load_configuration(const std::string& path,
                                                      const config::LexOptions& options,
                                                      const core::SchedulerCatalog& schedulers,
                                                      config::Diagnostics& diagnostics);

}  // namespace vsd::daemon

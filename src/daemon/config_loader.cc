#include "daemon/config_loader.h"

#include "config/parser.h"

namespace vsd::daemon {

std::optional<LoadedConfiguration> load_configuration(const std::string& path,
                                                      const config::LexOptions& options,
                                                      const core::SchedulerCatalog& schedulers,
                                                      config::Diagnostics& diagnostics) {
  auto configuration = config::parse_file(path, options, diagnostics);
  if (!configuration) return std::nullopt;
  auto model = config::to_model(*configuration, schedulers, diagnostics);
  if (!model) return std::nullopt;
  return LoadedConfiguration{std::move(*configuration), std::move(model)};
}

}  // namespace vsd::daemon

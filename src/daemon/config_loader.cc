#include "daemon/config_loader.h"

#include "config/parser.h"

namespace vsd::daemon {

std::optional<LoadedConfiguration> load_configuration(const std::string& path,
                                                      const config::LexOptions& options,
                                                      const core::SchedulerCatalog& schedulers,
                                                      config::Diagnostics& diagnostics) {
  auto configuration = config::parse_file(path, options, diagnostics);
  if (!configuration) return std::nullopt;
  auto changes = config::to_changes(*configuration, schedulers, diagnostics);
  if (!changes) return std::nullopt;
  auto model = std::make_unique<core::Model>(schedulers);
  if (Status s = model->apply(*changes); !s.ok()) {
    diagnostics.add_error(path + ": " + s.error().message);
    return std::nullopt;
  }
  return LoadedConfiguration{std::move(*configuration), std::move(model)};
}

}  // namespace vsd::daemon

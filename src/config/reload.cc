#include "config/reload.h"

namespace vsd::config {

std::vector<core::Change> diff(const core::Model& current, const core::Model& desired) {
  std::vector<core::Change> changes;
  for (const auto& [key, entry] : current.services())
    if (!desired.find(key)) changes.push_back(core::DeleteService{key});

  for (const core::ServiceEntry* want : desired.services_in_order()) {
    const core::ServiceKey& key = want->config.key;
    const core::ServiceEntry* have = current.find(key);
    if (!have) {
      changes.push_back(core::AddService{want->config});
      for (const auto& d : want->destinations)
        changes.push_back(core::AddDestination{key, d.config});
      continue;
    }
    // Destinations first out, so that an edited service is validated against what stays.
    for (const auto& d : have->destinations)
      if (!want->find(d.config.endpoint()))
        changes.push_back(core::DeleteDestination{key, d.config.endpoint()});
    if (!(have->config == want->config)) changes.push_back(core::EditService{want->config});
    for (const auto& d : want->destinations) {
      const core::DestinationEntry* before = have->find(d.config.endpoint());
      if (!before)
        changes.push_back(core::AddDestination{key, d.config});
      else if (!(before->config == d.config))
        changes.push_back(core::EditDestination{key, d.config});
    }
  }
  return changes;
}

}  // namespace vsd::config

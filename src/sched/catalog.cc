#include "sched/catalog.h"

#include <array>

#include "sched/algorithms.h"

namespace vsd::sched {

namespace {

struct Algorithm {
  std::string_view name;
  std::unique_ptr<core::Scheduler> (*create)(const core::SchedulerSpec&);
};

constexpr std::array kAlgorithms = {
    Algorithm{"rr", make_round_robin},
    Algorithm{"wrr", make_weighted_round_robin},
    Algorithm{"lc", make_least_connection},
    Algorithm{"wlc", make_weighted_least_connection},
    Algorithm{"sed", make_shortest_expected_delay},
    Algorithm{"nq", make_never_queue},
    Algorithm{"fo", make_failover},
    Algorithm{"ovf", make_overflow},
    Algorithm{"dh", make_destination_hashing},
    Algorithm{"sh", make_source_hashing},
    Algorithm{"mh", make_maglev_hashing},
    Algorithm{"lblc", make_locality_least_connection},
    Algorithm{"lblcr", make_locality_least_connection_replicated},
    Algorithm{"twos", make_power_of_two_choices},
};

class Catalog final : public core::SchedulerCatalog {
 public:
  bool knows(std::string_view name) const override { return find(name) != nullptr; }
  std::unique_ptr<core::Scheduler> create(const core::SchedulerSpec& spec) const override {
    const Algorithm* a = find(spec.name);
    return a ? a->create(spec) : nullptr;
  }

 private:
  static const Algorithm* find(std::string_view name) {
    for (const auto& a : kAlgorithms)
      if (a.name == name) return &a;
    return nullptr;
  }
};

}  // namespace

const core::SchedulerCatalog& catalog() {
  static const Catalog instance;
  return instance;
}

std::vector<std::string_view> algorithm_names() {
  std::vector<std::string_view> names;
  for (const auto& a : kAlgorithms) names.push_back(a.name);
  return names;
}

}  // namespace vsd::sched

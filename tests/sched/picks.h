#pragma once

// Test support for golden sequences: what a scheduler chooses, named by the last octet of the
// destination's address ("none" when it chooses nothing), optionally opening a connection to
// each choice as the connection table would.
#include <string>
#include <vector>

#include "core/scheduler.h"
#include "support/pool.h"

namespace vsd::testing {

enum class Then { nothing, connect_inactive, connect_active };

inline std::vector<std::string> picks(core::Scheduler& s, int count, Then then = Then::nothing) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    core::RealServer* d = s.schedule(input_from("10.0.0.1"));
    out.push_back(d ? std::to_string(d->address().bytes()[3]) : "none");
    if (!d || then == Then::nothing) continue;
    d->bind_connection(false);
    if (then == Then::connect_active) d->set_connection_activity(true);
  }
  return out;
}

inline std::vector<std::string> repeat(const std::vector<std::string>& cycle, int times) {
  std::vector<std::string> out;
  for (int i = 0; i < times; ++i) out.insert(out.end(), cycle.begin(), cycle.end());
  return out;
}

using Picks = std::vector<std::string>;

}  // namespace vsd::testing

#pragma once

// Test support: puts load on real servers the way the connection table does (a new connection is
// bound inactive, TCP state changes move it between inactive and active, it is unbound when it
// ends; persistence templates count apart), chosen at random from a seeded generator.
#include <string>
#include <vector>

#include "common/random.h"
#include "core/real_server.h"
#include "core/scheduler.h"
#include "support/pool.h"

namespace vsd::testing {

class ConnectionLoad {
 public:
  explicit ConnectionLoad(uint64_t seed) : random_(seed) {}

  void open(core::RealServer* d) {
    d->bind_connection(false);
    connections_.push_back({d, false});
  }
  void open_template(core::RealServer* d) {
    d->bind_template();
    templates_.push_back(d);
  }

  // One thing happening to one existing connection: it becomes active, becomes inactive, or
  // ends; or a template expires.
  void step() {
    if (!templates_.empty() && random_.below(8) == 0) {
      const size_t i = random_.below(templates_.size());
      templates_[i]->unbind_template();
      templates_[i] = templates_.back();
      templates_.pop_back();
      return;
    }
    if (connections_.empty()) return;
    const size_t i = random_.below(connections_.size());
    Connection& c = connections_[i];
    switch (random_.below(3)) {
      case 0:
        if (!c.active) c.destination->set_connection_activity(true);
        c.active = true;
        break;
      case 1:
        if (c.active) c.destination->set_connection_activity(false);
        c.active = false;
        break;
      default:
        c.destination->unbind_connection(c.active);
        c = connections_.back();
        connections_.pop_back();
    }
  }

  void close_all() {
    for (const Connection& c : connections_) c.destination->unbind_connection(c.active);
    for (core::RealServer* d : templates_) d->unbind_template();
    connections_.clear();
    templates_.clear();
  }

  size_t size() const { return connections_.size(); }
  SplitMix64& random() { return random_; }

 private:
  struct Connection {
    core::RealServer* destination;
    bool active;
  };
  SplitMix64 random_;
  std::vector<Connection> connections_;
  std::vector<core::RealServer*> templates_;
};

// An edit of a destination's weight and thresholds, as `ipvsadm -e` makes it.
inline void reconfigure(core::RealServer* d, int64_t weight, uint32_t upper, uint32_t lower) {
  core::DestinationConfig c;
  c.address = d->address();
  c.port = d->port();
  c.method = d->method();
  c.weight = weight;
  c.upper_threshold = upper;
  c.lower_threshold = lower;
  d->apply(c);
}

inline std::string describe(const core::RealServer* d) {
  return d ? d->address().to_string() : "none";
}

// A distinct address per index: 10.<i/65536>.<i/256>.<i>, enough for any pool size used here.
inline std::string address_for(size_t i) {
  return "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
         std::to_string(i & 255);
}

}  // namespace vsd::testing

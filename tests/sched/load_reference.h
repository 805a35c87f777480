#pragma once

// Plain reference implementations of IPVS's load-based schedulers, written straight from
// net/netfilter/ipvs/ip_vs_{lc,wlc,sed,nq,fo,ovf}.c and include/net/ip_vs.h (one full scan per
// call, in the kernel's shape) for the property tests to compare vsd's schedulers with.
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/real_server.h"

namespace vsd::testing::reference {

using List = std::vector<core::RealServer*>;

inline int64_t conn_overhead(const core::RealServer& d) {
  return int64_t{d.active_connections()} * 256 + d.inactive_connections();
}
inline int64_t active_plus_one(const core::RealServer& d) {
  return int64_t{d.active_connections()} + 1;
}

inline core::RealServer* lc(const List& list) {
  core::RealServer* least = nullptr;
  int64_t loh = 0;
  for (core::RealServer* d : list) {
    if (d->overloaded() || d->weight() == 0) continue;
    const int64_t doh = conn_overhead(*d);
    if (!least || doh < loh) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

// wlc and sed: the first available destination, then a later one replaces it only when
// loh * w(dest) > doh * w(least).
template <int64_t (*Overhead)(const core::RealServer&)>
core::RealServer* least_per_weight(const List& list) {
  size_t i = 0;
  while (i < list.size() && (list[i]->overloaded() || list[i]->weight() <= 0)) ++i;
  if (i == list.size()) return nullptr;
  core::RealServer* least = list[i];
  int64_t loh = Overhead(*least);
  for (++i; i < list.size(); ++i) {
    core::RealServer* d = list[i];
    if (d->overloaded()) continue;
    const int64_t doh = Overhead(*d);
    if (loh * d->weight() > doh * least->weight()) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

inline core::RealServer* wlc(const List& list) {
  return least_per_weight<conn_overhead>(list);
}
inline core::RealServer* sed(const List& list) {
  return least_per_weight<active_plus_one>(list);
}

inline core::RealServer* nq(const List& list) {
  core::RealServer* least = nullptr;
  int64_t loh = 0;
  for (core::RealServer* d : list) {
    if (d->overloaded() || d->weight() == 0) continue;
    const int64_t doh = active_plus_one(*d);
    if (d->active_connections() == 0) return d;  // idle: taken at once
    if (!least || loh * d->weight() > doh * least->weight()) {
      least = d;
      loh = doh;
    }
  }
  return least;
}

inline core::RealServer* fo(const List& list) {
  core::RealServer* highest = nullptr;
  int32_t hw = 0;
  for (core::RealServer* d : list) {
    if (!d->overloaded() && d->weight() > hw) {
      highest = d;
      hw = d->weight();
    }
  }
  return highest;
}

inline core::RealServer* ovf(const List& list) {
  core::RealServer* highest = nullptr;
  int32_t hw = 0;
  for (core::RealServer* d : list) {
    const int32_t w = d->weight();
    if (d->overloaded() || int64_t{d->active_connections()} > w || w == 0) continue;
    if (!highest || w > hw) {
      highest = d;
      hw = w;
    }
  }
  return highest;
}

using Function = core::RealServer* (*)(const List&);

inline Function by_name(std::string_view name) {
  if (name == "lc") return lc;
  if (name == "wlc") return wlc;
  if (name == "sed") return sed;
  if (name == "nq") return nq;
  if (name == "fo") return fo;
  if (name == "ovf") return ovf;
  return nullptr;
}

}  // namespace vsd::testing::reference

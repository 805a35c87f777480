#pragma once

// Test support for the connection table: services built with the real core model, scheduler
// catalog and snapshot, as the daemon builds them.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "conn/connection_table.h"
#include "conn/new_connection.h"
#include "core/model.h"
#include "core/snapshot.h"
#include "sched/catalog.h"

namespace vsd::conn::testing {

inline IpAddress ip(const char* text) {
  return *IpAddress::parse(text);
}

inline Instant at_seconds(double s) {
  return Instant{Duration{static_cast<int64_t>(s * 1e9)}};
}

class Lab {
 public:
  explicit Lab(TableConfig config = {1024, 256, 42}) : table(config) {}

  core::ServiceKey add_service(core::Protocol protocol, const char* vip, uint16_t port,
                               const char* scheduler = "rr", uint32_t persistence_s = 0,
                               unsigned prefix = 0) {
    core::ServiceConfig c;
    c.key = core::ServiceKey::virtual_address(protocol, ip(vip), port);
    finish(c, scheduler, persistence_s, prefix);
    return c.key;
  }
  core::ServiceKey add_fwmark_service(uint32_t mark, uint32_t persistence_s, unsigned prefix = 32,
                                      AddressFamily family = AddressFamily::v4) {
    core::ServiceConfig c;
    c.key = core::ServiceKey::firewall_mark(mark, family);
    finish(c, "rr", persistence_s, prefix);
    return c.key;
  }
  void add_destination(const core::ServiceKey& service, const char* address, uint16_t port,
                       core::ForwardMethod method = core::ForwardMethod::masq, int64_t weight = 1,
                       uint32_t upper = 0) {
    core::DestinationConfig d;
    d.address = ip(address);
    d.port = port;
    d.method = method;
    d.weight = weight;
    d.upper_threshold = upper;
    apply(core::AddDestination{service, d});
  }
  void set_weight(const core::ServiceKey& service, const char* address, uint16_t port,
                  int64_t weight) {
    const core::DestinationEntry* e = model.find(service)->find(Endpoint{ip(address), port});
    core::DestinationConfig d = e->config;
    d.weight = weight;
    apply(core::EditDestination{service, d});
  }
  void remove_destination(const core::ServiceKey& service, const char* address, uint16_t port) {
    apply(core::DeleteDestination{service, Endpoint{ip(address), port}});
  }

  const core::ServiceView& view(const core::ServiceKey& key) const {
    const core::ServiceView* v = snapshot->find(key);
    EXPECT_NE(v, nullptr);
    return *v;
  }
  // The destination as the model holds it now (a removed one is gone from here).
  core::RealServer* destination(const core::ServiceKey& key, const char* address,
                                uint16_t port) const {
    const core::DestinationEntry* e = model.find(key)->find(Endpoint{ip(address), port});
    return e ? e->server.get() : nullptr;
  }

  NewConnection open(const core::ServiceKey& service, const char* client, uint16_t client_port,
                     const char* vip, uint16_t vport, Instant now,
                     core::Protocol protocol = core::Protocol::tcp, Endpoint local = Endpoint{}) {
    Flow f;
    f.protocol = protocol;
    f.client = ip(client);
    f.client_port = client_port;
    f.virtual_address = ip(vip);
    f.virtual_port = vport;
    f.tcp_flags = protocol == core::Protocol::tcp ? tcp_flag::syn : 0;
    f.local = local;
    return create_connection(table, view(service), f, now, 0);
  }

  core::Model model{sched::catalog()};
  std::shared_ptr<const core::Snapshot> snapshot =
      core::Snapshot::build(model, nullptr, sched::catalog());
  // Declared after the model and snapshot: destroyed first, so that the connections it still
  // holds release their destinations while the rest is alive.
  ConnectionTable table;

 private:
  void finish(core::ServiceConfig& c, const char* scheduler, uint32_t persistence_s,
              unsigned prefix) {
    c.scheduler = scheduler;
    if (persistence_s != 0) {
      c.flags |= core::service_flag::persistent;
      c.persistence_timeout_s = persistence_s;
    }
    c.persistence_prefix = prefix != 0 ? prefix : c.key.family == AddressFamily::v4 ? 32 : 128;
    apply(core::AddService{c});
  }
  void apply(const core::Change& change) {
    auto status = model.apply(change);
    ASSERT_TRUE(status.ok()) << status.error().message;
    snapshot = core::Snapshot::build(model, snapshot.get(), sched::catalog());
  }
};

}  // namespace vsd::conn::testing

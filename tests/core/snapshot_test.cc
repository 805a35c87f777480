#include "core/snapshot.h"

#include <gtest/gtest.h>

#include "sched/catalog.h"

namespace vsd::core {
namespace {

ServiceKey tcp(const char* vip, uint16_t port) {
  return ServiceKey::virtual_address(Protocol::tcp, *IpAddress::parse(vip), port);
}

Status add(Model& m, const char* vip, uint16_t port, uint32_t flags = 0) {
  ServiceConfig c;
  c.key = tcp(vip, port);
  c.scheduler = "rr";
  c.flags = flags;
  return m.apply(AddService{c});
}

Status add_dest(Model& m, const char* vip, uint16_t port, const char* rs) {
  DestinationConfig d;
  d.address = *IpAddress::parse(rs);
  d.port = port;
  return m.apply(AddDestination{tcp(vip, port), d});
}

TEST(Snapshot, LooksUpExactServicesThenPortZero) {
  Model m(sched::catalog());
  ASSERT_TRUE(add(m, "192.168.2.11", 80).ok());
  ASSERT_TRUE(add(m, "192.168.2.11", 0, service_flag::persistent).ok());
  auto snap = Snapshot::build(m, nullptr, sched::catalog());
  const auto vip = *IpAddress::parse("192.168.2.11");
  ASSERT_NE(snap->lookup(Protocol::tcp, vip, 80), nullptr);
  EXPECT_EQ(snap->lookup(Protocol::tcp, vip, 80)->config().key.port, 80);
  ASSERT_NE(snap->lookup(Protocol::tcp, vip, 443), nullptr);
  EXPECT_EQ(snap->lookup(Protocol::tcp, vip, 443)->config().key.port, 0);
  EXPECT_EQ(snap->lookup(Protocol::udp, vip, 80), nullptr);
  EXPECT_EQ(snap->lookup(Protocol::tcp, *IpAddress::parse("192.168.2.12"), 80), nullptr);
}

TEST(Snapshot, SharesUntouchedServicesAndRebuildsChangedOnes) {
  Model m(sched::catalog());
  ASSERT_TRUE(add(m, "192.168.2.11", 80).ok());
  ASSERT_TRUE(add(m, "192.168.2.12", 80).ok());
  ASSERT_TRUE(add_dest(m, "192.168.2.12", 80, "10.0.0.1").ok());
  auto first = Snapshot::build(m, nullptr, sched::catalog());
  ASSERT_TRUE(add_dest(m, "192.168.2.12", 80, "10.0.0.2").ok());
  auto second = Snapshot::build(m, first.get(), sched::catalog());
  EXPECT_EQ(first->find(tcp("192.168.2.11", 80)), second->find(tcp("192.168.2.11", 80)));
  const ServiceView* changed = second->find(tcp("192.168.2.12", 80));
  EXPECT_NE(first->find(tcp("192.168.2.12", 80)), changed);
  EXPECT_EQ(changed->destinations.size(), 2u);
  EXPECT_NE(first->find(tcp("192.168.2.12", 80))->scheduler, changed->scheduler);
  EXPECT_EQ(second->generation(), m.generation());
}

TEST(Snapshot, PublisherHandsOutTheLatest) {
  Model m(sched::catalog());
  SnapshotPublisher pub;
  EXPECT_EQ(pub.current(), nullptr);
  auto s = Snapshot::build(m, nullptr, sched::catalog());
  pub.publish(s);
  EXPECT_EQ(pub.current(), s);
}

}  // namespace
}  // namespace vsd::core

// Reload applies only the difference (keepalived's reload keeps unchanged virtual and real
// servers, check/ipwrapper.c clear_diff_services); here with the real model, real schedulers and
// real connections bound to real servers.
#include "config/reload.h"

#include <gtest/gtest.h>

#include "config/parser.h"
#include "sched/catalog.h"

namespace vsd::config {
namespace {

core::Model build(const std::string& text) {
  Diagnostics d;
  auto config = parse_text(text, "r.conf", LexOptions{"lb1"}, d);
  EXPECT_TRUE(config) << (d.errors().empty() ? "" : d.errors()[0]);
  auto changes = to_changes(*config, sched::catalog(), d);
  EXPECT_TRUE(changes) << (d.errors().empty() ? "" : d.errors()[0]);
  core::Model m(sched::catalog());
  EXPECT_TRUE(m.apply(*changes).ok());
  return m;
}

const char* kBefore = R"(
virtual_server 192.168.2.11 80 {
  lb_algo wlc
  lb_kind NAT
  real_server 10.0.0.1 80 { weight 1 }
  real_server 10.0.0.2 80 { weight 1 }
  real_server 10.0.0.3 80 { weight 1 }
}
virtual_server 192.168.2.12 80 {
  lb_algo rr
  lb_kind DR
  real_server 10.0.1.1 80 { }
}
virtual_server 192.168.2.13 53 {
  protocol UDP
  lb_algo rr
  lb_kind NAT
  real_server 10.0.2.1 53 { }
}
)";

// .12 untouched; .11: 10.0.0.2 reweighted, 10.0.0.3 removed, 10.0.0.4 added; .13 removed; .14 new.
const char* kAfter = R"(
virtual_server 192.168.2.11 80 {
  lb_algo wlc
  lb_kind NAT
  real_server 10.0.0.1 80 { weight 1 }
  real_server 10.0.0.2 80 { weight 5 }
  real_server 10.0.0.4 80 { weight 1 }
}
virtual_server 192.168.2.12 80 {
  lb_algo rr
  lb_kind DR
  real_server 10.0.1.1 80 { }
}
virtual_server 192.168.2.14 80 {
  lb_algo rr
  lb_kind NAT
  real_server 10.0.3.1 80 { }
}
)";

core::ServiceKey tcp(const char* vip, uint16_t port) {
  return core::ServiceKey::virtual_address(core::Protocol::tcp, *IpAddress::parse(vip), port);
}

TEST(Reload, ChangesOnlyWhatDiffers) {
  core::Model running = build(kBefore);
  const core::Model desired = build(kAfter);
  const auto changes = diff(running, desired);
  // Delete .13; on .11: delete 10.0.0.3, edit 10.0.0.2, add 10.0.0.4; add .14 and its server.
  EXPECT_EQ(changes.size(), 6u);
  const core::ServiceEntry* untouched = running.find(tcp("192.168.2.12", 80));
  core::RealServer* kept = running.find(tcp("192.168.2.11", 80))->destinations[0].server.get();
  core::RealServer* reweighted =
      running.find(tcp("192.168.2.11", 80))->destinations[1].server.get();
  Ref<core::RealServer> removed = running.find(tcp("192.168.2.11", 80))->destinations[2].server;
  // Live connections on the servers, as the data plane would hold them.
  kept->bind_connection(true);
  removed->bind_connection(true);
  kept->stats().add_connection(0);

  ASSERT_TRUE(running.apply(changes).ok());

  EXPECT_EQ(running.find(tcp("192.168.2.12", 80)), untouched);
  const core::ServiceEntry* web = running.find(tcp("192.168.2.11", 80));
  ASSERT_EQ(web->destinations.size(), 3u);
  EXPECT_EQ(web->destinations[0].server.get(), kept);
  EXPECT_EQ(kept->active_connections(), 1u);
  EXPECT_EQ(kept->stats().totals().conns, 1u);
  EXPECT_EQ(web->destinations[1].server.get(), reweighted);
  EXPECT_EQ(reweighted->weight(), 5);
  EXPECT_EQ(web->destinations[2].config.address.to_string(), "10.0.0.4");
  // The removed server drains: out of the service, still counting its live connection.
  EXPECT_EQ(removed->active_connections(), 1u);
  EXPECT_EQ(running.find(tcp("192.168.2.13", 53)), nullptr);
  ASSERT_NE(running.find(tcp("192.168.2.14", 80)), nullptr);
  EXPECT_TRUE(diff(running, desired).empty());
  removed->unbind_connection(true);
  kept->unbind_connection(true);
}

TEST(Reload, IdenticalConfigurationChangesNothing) {
  core::Model running = build(kBefore);
  EXPECT_TRUE(diff(running, build(kBefore)).empty());
}

TEST(Reload, SchedulerChangeEditsTheServiceInPlace) {
  core::Model running = build(kBefore);
  std::string after = kBefore;
  after.replace(after.find("lb_algo wlc"), 11, "lb_algo sh ");
  const auto changes = diff(running, build(after));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<core::EditService>(changes[0]));
  const auto before_runtime = running.find(tcp("192.168.2.11", 80))->runtime;
  ASSERT_TRUE(running.apply(changes).ok());
  EXPECT_EQ(running.find(tcp("192.168.2.11", 80))->runtime, before_runtime);
  EXPECT_EQ(running.find(tcp("192.168.2.11", 80))->config.scheduler, "sh");
}

}  // namespace
}  // namespace vsd::config

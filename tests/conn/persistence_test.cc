// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c ip_vs_sched_persist (template keys: masked
// client, virtual port / port 0 / fwmark), ip_vs_conn.c ip_vs_check_template (a template whose
// destination left the service is not used; expire_quiescent_template = 0), ip_vs_conn_expire
// (a template controlling connections is re-armed).
#include <gtest/gtest.h>

#include "lab.h"

namespace vsd::conn {
namespace {

using core::ForwardMethod;
using core::Protocol;
using testing::at_seconds;
using testing::ip;

std::string where(const NewConnection& n) {
  return n.connection ? n.connection.destination().address().to_string() : "none";
}

class Persistence : public ::testing::Test {
 protected:
  // rr over two destinations: without persistence, consecutive new connections alternate.
  core::ServiceKey make(uint16_t port, uint32_t timeout_s = 300, unsigned prefix = 32) {
    auto key = lab.add_service(Protocol::tcp, "192.168.2.11", port, "rr", timeout_s, prefix);
    lab.add_destination(key, "10.10.10.1", port, ForwardMethod::route);
    lab.add_destination(key, "10.10.10.2", port, ForwardMethod::route);
    return key;
  }
  testing::Lab lab;
};

TEST_F(Persistence, SameClientSticksAcrossSourcePorts) {
  auto svc = make(80);
  NewConnection first = lab.open(svc, "10.0.0.1", 1000, "192.168.2.11", 80, at_seconds(0));
  const std::string chosen = where(first);
  for (uint16_t p = 1001; p < 1006; ++p)
    EXPECT_EQ(where(lab.open(svc, "10.0.0.1", p, "192.168.2.11", 80, at_seconds(1))), chosen);
  EXPECT_NE(where(lab.open(svc, "10.0.0.2", 1000, "192.168.2.11", 80, at_seconds(1))), chosen);
  core::RealServer* rs = &first.connection.destination();
  EXPECT_EQ(rs->persistent_connections(), 1u);  // one template for 10.0.0.1
  EXPECT_EQ(rs->active_connections(), 6u);
}

TEST_F(Persistence, NetmaskGroupsClientsBySlash24) {
  auto svc = make(80, 300, 24);
  const std::string chosen =
      where(lab.open(svc, "10.0.1.5", 1000, "192.168.2.11", 80, at_seconds(0)));
  EXPECT_EQ(where(lab.open(svc, "10.0.1.77", 1000, "192.168.2.11", 80, at_seconds(0))), chosen);
  EXPECT_NE(where(lab.open(svc, "10.0.2.5", 1000, "192.168.2.11", 80, at_seconds(0))), chosen);
}

TEST_F(Persistence, PortZeroServiceSticksAcrossPorts) {
  auto svc = lab.add_service(Protocol::tcp, "192.168.2.11", 0, "rr", 300);
  lab.add_destination(svc, "10.10.10.1", 0, ForwardMethod::route);
  lab.add_destination(svc, "10.10.10.2", 0, ForwardMethod::route);
  NewConnection http = lab.open(svc, "10.0.0.1", 1000, "192.168.2.11", 80, at_seconds(0));
  NewConnection https = lab.open(svc, "10.0.0.1", 1001, "192.168.2.11", 443, at_seconds(0));
  EXPECT_EQ(where(https), where(http));
  EXPECT_EQ(https.connection.server().port, 443);  // the packet's port, as IPVS keeps it
  auto rows = lab.table.list(at_seconds(0));
  int templates = 0;
  for (const auto& r : rows) {
    if (!r.is_template) continue;
    ++templates;
    EXPECT_EQ(r.virtual_endpoint.port, 0);
    EXPECT_EQ(r.client.port, 0);
    EXPECT_EQ(r.state, "NONE");
  }
  EXPECT_EQ(templates, 1);
}

TEST_F(Persistence, FwmarkServiceGroupsItsPorts) {
  auto svc = lab.add_fwmark_service(7, 300);
  lab.add_destination(svc, "10.10.10.1", 0, ForwardMethod::route);
  lab.add_destination(svc, "10.10.10.2", 0, ForwardMethod::route);
  NewConnection a = lab.open(svc, "10.0.0.1", 1000, "192.168.2.11", 80, at_seconds(0));
  NewConnection b = lab.open(svc, "10.0.0.1", 1001, "192.168.2.12", 443, at_seconds(0));
  EXPECT_EQ(where(a), where(b));
  NewConnection other = lab.open(svc, "10.0.0.2", 1000, "192.168.2.11", 80, at_seconds(0));
  EXPECT_NE(where(other), where(a));
  for (const auto& r : lab.table.list(at_seconds(0))) {
    if (!r.is_template) continue;
    EXPECT_EQ(r.protocol, "IP");  // IPPROTO_IP, the fwmark in place of the address
    EXPECT_EQ(to_string(r.virtual_endpoint), "0.0.0.7:0");
  }
}

TEST_F(Persistence, QuiescedDestinationKeepsItsClients) {
  auto svc = make(80);
  const std::string chosen =
      where(lab.open(svc, "10.0.0.1", 1000, "192.168.2.11", 80, at_seconds(0)));
  lab.set_weight(svc, chosen.c_str(), 80, 0);
  EXPECT_EQ(where(lab.open(svc, "10.0.0.1", 1001, "192.168.2.11", 80, at_seconds(1))), chosen);
  // New clients avoid it.
  for (int i = 0; i < 3; ++i) {
    const std::string client = "10.0.0." + std::to_string(10 + i);
    EXPECT_NE(where(lab.open(svc, client.c_str(), 1000, "192.168.2.11", 80, at_seconds(1))),
              chosen);
  }
}

TEST_F(Persistence, RemovedDestinationTemplateIsNotUsed) {
  auto svc = make(80);
  NewConnection first = lab.open(svc, "10.0.0.1", 1000, "192.168.2.11", 80, at_seconds(0));
  const std::string chosen = where(first);
  Ref<core::RealServer> removed(&first.connection.destination());
  first.connection.reset();
  lab.remove_destination(svc, chosen.c_str(), 80);
  NewConnection again = lab.open(svc, "10.0.0.1", 1001, "192.168.2.11", 80, at_seconds(1));
  ASSERT_EQ(again.result, NewConnection::Result::created);
  EXPECT_NE(where(again), chosen);
  EXPECT_EQ(again.connection.destination().persistent_connections(), 1u);  // a new template
  // The old template is dead to lookups but stays, as in IPVS, until its timer runs out.
  EXPECT_EQ(removed->persistent_connections(), 1u);
  again.connection.reset();
  lab.table.expire_all_due(at_seconds(400));
  EXPECT_EQ(removed->persistent_connections(), 0u);
  EXPECT_EQ(removed->active_connections() + removed->inactive_connections(), 0u);
}

TEST_F(Persistence, TemplateOutlivesItsConnectionsThenExpiresAndClientIsRescheduled) {
  auto svc = make(80, 300);
  NewConnection first = lab.open(svc, "10.0.0.1", 1000, "192.168.2.11", 80, at_seconds(0));
  core::RealServer* rs = &first.connection.destination();
  const std::string chosen = where(first);
  first.connection.on_packet(Direction::input, tcp_flag::ack, at_seconds(0));  // ESTABLISHED
  EXPECT_EQ(first.connection.expires_at(), at_seconds(900));
  first.connection.reset();

  // The template's 300 s are long gone, but it controls a live connection: still used.
  lab.table.expire_all_due(at_seconds(600));
  EXPECT_EQ(rs->persistent_connections(), 1u);
  NewConnection during = lab.open(svc, "10.0.0.1", 1001, "192.168.2.11", 80, at_seconds(600));
  EXPECT_EQ(where(during), chosen);
  EXPECT_EQ(during.connection.controlled_connections(), 0u);  // a connection controls nothing
  during.connection.on_packet(Direction::input, tcp_flag::rst, at_seconds(600));  // CLOSE, 10 s
  during.connection.reset();

  // Using it at 600 re-armed it for 300 s; its first connection ends at 900, and the timer that
  // fires then finds nothing to control: the template ends at 900 (600 + 300).
  lab.table.expire_all_due(at_seconds(899));
  EXPECT_EQ(rs->persistent_connections(), 1u);
  EXPECT_EQ(rs->inactive_connections() + rs->active_connections(), 1u);
  lab.table.expire_all_due(at_seconds(900));
  EXPECT_EQ(rs->active_connections() + rs->inactive_connections(), 0u);
  EXPECT_EQ(rs->persistent_connections(), 1u);  // re-armed once more when it was still needed
  lab.table.expire_all_due(at_seconds(1200));
  EXPECT_EQ(rs->persistent_connections(), 0u);
  EXPECT_EQ(lab.table.size(), 0u);

  // No template any more: the scheduler decides again (rr moves on to the other one).
  EXPECT_NE(where(lab.open(svc, "10.0.0.1", 1002, "192.168.2.11", 80, at_seconds(1200))), chosen);
}

TEST_F(Persistence, Ipv6PrefixGroupsClients) {
  auto svc = lab.add_service(Protocol::tcp, "2001:db8::80", 80, "rr", 300, 64);
  lab.add_destination(svc, "fd00::1", 80, ForwardMethod::route);
  lab.add_destination(svc, "fd00::2", 80, ForwardMethod::route);
  const std::string chosen =
      where(lab.open(svc, "2001:db8:0:5::1", 1000, "2001:db8::80", 80, at_seconds(0)));
  EXPECT_EQ(where(lab.open(svc, "2001:db8:0:5::abcd", 1000, "2001:db8::80", 80, at_seconds(0))),
            chosen);
  EXPECT_NE(where(lab.open(svc, "2001:db8:0:6::1", 1000, "2001:db8::80", 80, at_seconds(0))),
            chosen);
}

}  // namespace
}  // namespace vsd::conn

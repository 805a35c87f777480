// Behaviour matched: what Linux IPVS never needs (it runs inside the kernel's stack), written for
// the afpacket backend: the kernel's copy of the traffic vsd handles is dropped at netdev ingress
// (lab-notes trap 5) so that it neither answers VIP traffic nor forwards NAT replies twice.
#include "dataplane/kernel_filter.h"

#include <gtest/gtest.h>

#include "dataplane/pipeline_lab.h"

namespace vsd::dataplane {
namespace {

using namespace testing;

TEST(KernelFilter, HidesServicesNatRepliesAndFullNatAddresses) {
  PipelineLab lab;
  const auto nat = lab.lab.add_service(core::Protocol::tcp, "192.168.2.11", 80);
  lab.lab.add_destination(nat, "10.10.10.11", 8080, core::ForwardMethod::masq);
  const auto dr = lab.lab.add_service(core::Protocol::udp, "2001:db8:2::11", 53);
  lab.lab.add_destination(dr, "2001:db8:10::11", 53, core::ForwardMethod::route);
  lab.lab.add_service(core::Protocol::tcp, "192.168.2.12", 0, "rr", 300);  // all ports
  lab.lab.add_fwmark_service(7, 300);
  const std::string script = kernel_filter_script(*lab.lab.snapshot, lab.shared.settings());
  EXPECT_EQ(script.rfind("table netdev vsd\ndelete table netdev vsd\ntable netdev vsd {\n", 0), 0u);
  for (const char* rule : {
           "ip daddr 192.168.2.11 tcp dport 80 drop",
           "ip6 daddr 2001:db8:2::11 udp dport 53 drop",
           "ip daddr 192.168.2.12 meta l4proto tcp drop",
           "ip daddr 192.168.2.11 ip frag-off & 0x1fff != 0 drop",
           // Replies to the director itself (health checks) stay the kernel's.
           "ip saddr 10.10.10.11 tcp sport 8080 ip daddr != { 10.10.10.1, 192.168.2.1 } drop",
           "ip daddr 10.10.10.100 drop",
           "ip6 daddr 2001:db8:10::100 drop",
       })
    EXPECT_NE(script.find(rule), std::string::npos) << rule << "\n" << script;
  // One chain per interface, hooked before anything else at ingress.
  EXPECT_NE(script.find("type filter hook ingress device \"eth0\" priority -500;"),
            std::string::npos);
  EXPECT_NE(script.find("type filter hook ingress device \"eth1\" priority -500;"),
            std::string::npos);
  // DR replies never reach the director; fwmark services are marked after ingress.
  EXPECT_EQ(script.find("saddr 2001:db8:10::11"), std::string::npos);
  EXPECT_EQ(script.find("mark"), std::string::npos);
}

}  // namespace
}  // namespace vsd::dataplane

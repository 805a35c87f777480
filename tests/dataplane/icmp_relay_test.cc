// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c (ip_vs_in_icmp / ip_vs_in_icmp_v6: an error
// from the client's side about a packet of a connection goes to its real server, through the
// connection's own transmitter; ip_vs_out_icmp: an error from the real server's side goes to the
// client with the virtual service as source; ip_vs_nat_icmp: the quoted packet's addresses,
// ports and IPv4 header checksum are rewritten, its L4 checksum is not; the ICMP checksum is
// computed again).
#include <gtest/gtest.h>

#include "dataplane/pipeline_lab.h"
#include "packet/parse.h"

namespace vsd::dataplane {
namespace {

using namespace testing;
using core::ForwardMethod;
using core::Protocol;

// `rewritten` as the quoted packet of a translated error holds it: addresses and ports changed,
// IP header checksum right, L4 checksum still the one of `original`.
Bytes quoted_after_rewrite(const FrameSpec& original, const FrameSpec& rewritten) {
  const Bytes before = frame(original);
  Bytes after = frame(rewritten);
  const auto p = packet::parse_frame(std::span<const uint8_t>(before));
  const size_t field = p.l4_offset + (original.protocol == packet::ipproto::tcp ? 16 : 6);
  after[field] = before[field];
  after[field + 1] = before[field + 1];
  return after;
}

struct Ends {
  const char* vip;
  const char* client;
  const char* server;
  const char* local;
};
constexpr Ends kV4{"192.168.2.11", "203.0.113.5", "10.10.10.11", "10.10.10.100"};
constexpr Ends kV6{"2001:db8:2::11", "2001:db8:99::5", "2001:db8:10::11", "2001:db8:10::100"};

FrameSpec udp(const char* from, uint16_t from_port, const char* to, uint16_t to_port) {
  FrameSpec s;
  s.protocol = packet::ipproto::udp;
  s.source = from;
  s.source_port = from_port;
  s.destination = to;
  s.destination_port = to_port;
  s.payload = 24;
  return s;
}

class IcmpRelay : public ::testing::TestWithParam<bool> {
 protected:
  const Ends& e() const { return GetParam() ? kV6 : kV4; }
  uint8_t unreachable_type() const { return GetParam() ? 1 : 3; }
  uint8_t port_unreachable_code() const { return GetParam() ? 4 : 3; }

  void open(ForwardMethod method) {
    const auto svc = lab.lab.add_service(Protocol::udp, e().vip, 53);
    server_port = core::keeps_port(method) ? 53 : 5353;
    lab.lab.add_destination(svc, e().server, server_port, method);
    FrameSpec first = udp(e().client, 40000, e().vip, 53);
    first.link_source = kRouter;
    ASSERT_EQ(lab.run(frame(first)).outcome.verdict, Verdict::transmit);
  }

  PipelineLab lab;
  uint16_t server_port = 53;
};

TEST_P(IcmpRelay, NatClientErrorGoesToTheRealServerTranslated) {
  open(ForwardMethod::masq);
  // The client says our reply (VIP:53 -> client:40000) could not be delivered.
  const FrameSpec reply = udp(e().vip, 53, e().client, 40000);
  FrameSpec outer = udp(e().client, 0, e().vip, 0);
  outer.link_source = kRouter;
  const Bytes in =
      icmp_error_frame(outer, unreachable_type(), port_unreachable_code(), 0, frame(reply));
  const auto r = lab.run(in, 1.2);
  ASSERT_EQ(r.outcome.verdict, Verdict::transmit) << to_string(r.outcome.reason);
  EXPECT_EQ(r.outcome.reason, Counter::forwarded_icmp_to_server);

  FrameSpec want_outer = udp(e().client, 0, e().server, 0);
  want_outer.link_source = kEth1;
  want_outer.link_destination = kServer11;
  const Bytes quote = quoted_after_rewrite(reply, udp(e().server, server_port, e().client, 40000));
  EXPECT_EQ(r.out,
            icmp_error_frame(want_outer, unreachable_type(), port_unreachable_code(), 0, quote));
}

TEST_P(IcmpRelay, NatServerErrorGoesToTheClientFromTheVirtualService) {
  open(ForwardMethod::masq);
  // The real server's side says the request (client:40000 -> server:5353) needs a smaller MTU.
  const FrameSpec request = udp(e().client, 40000, e().server, server_port);
  FrameSpec outer = udp(e().server, 0, e().client, 0);
  outer.link_source = kServer11;
  outer.link_destination = kEth1;
  const uint8_t type = GetParam() ? 2 : 3;
  const uint8_t code = GetParam() ? 0 : 4;
  const uint32_t rest = 1400;  // the next-hop MTU (ICMP) or the MTU (ICMPv6)
  const Bytes in = icmp_error_frame(outer, type, code, rest, frame(request));
  const auto r = lab.run(in, 1.2);
  ASSERT_EQ(r.outcome.verdict, Verdict::transmit) << to_string(r.outcome.reason);
  EXPECT_EQ(r.outcome.reason, Counter::forwarded_icmp_to_client);

  FrameSpec want_outer = udp(e().vip, 0, e().client, 0);
  want_outer.link_source = kEth0;
  want_outer.link_destination = kRouter;
  want_outer.ttl = 63;
  const Bytes quote = quoted_after_rewrite(request, udp(e().client, 40000, e().vip, 53));
  EXPECT_EQ(r.out, icmp_error_frame(want_outer, type, code, rest, quote));
}

TEST_P(IcmpRelay, FullNatErrorsAreTranslatedBothWays) {
  open(ForwardMethod::fullnat);
  {
    const FrameSpec reply = udp(e().vip, 53, e().client, 40000);
    FrameSpec outer = udp(e().client, 0, e().vip, 0);
    const Bytes in =
        icmp_error_frame(outer, unreachable_type(), port_unreachable_code(), 0, frame(reply));
    const auto r = lab.run(in, 1.2);
    ASSERT_EQ(r.outcome.reason, Counter::forwarded_icmp_to_server);
    FrameSpec want_outer = udp(e().local, 0, e().server, 0);
    want_outer.link_source = kEth1;
    want_outer.link_destination = kServer11;
    const Bytes quote = quoted_after_rewrite(reply, udp(e().server, server_port, e().local, 1024));
    EXPECT_EQ(r.out,
              icmp_error_frame(want_outer, unreachable_type(), port_unreachable_code(), 0, quote));
  }
  {
    const FrameSpec request = udp(e().local, 1024, e().server, server_port);
    FrameSpec outer = udp(e().server, 0, e().local, 0);
    outer.link_source = kServer11;
    const Bytes in =
        icmp_error_frame(outer, unreachable_type(), port_unreachable_code(), 0, frame(request));
    const auto r = lab.run(in, 1.3);
    ASSERT_EQ(r.outcome.reason, Counter::forwarded_icmp_to_client);
    FrameSpec want_outer = udp(e().vip, 0, e().client, 0);
    want_outer.link_source = kEth0;
    want_outer.link_destination = kRouter;
    want_outer.ttl = 63;
    const Bytes quote = quoted_after_rewrite(request, udp(e().client, 40000, e().vip, 53));
    EXPECT_EQ(r.out,
              icmp_error_frame(want_outer, unreachable_type(), port_unreachable_code(), 0, quote));
  }
}

TEST_P(IcmpRelay, DrClientErrorGoesToTheRealServerUnchanged) {
  open(ForwardMethod::route);
  const FrameSpec reply = udp(e().vip, 53, e().client, 40000);
  FrameSpec outer = udp(e().client, 0, e().vip, 0);
  outer.link_source = kRouter;
  const Bytes in =
      icmp_error_frame(outer, unreachable_type(), port_unreachable_code(), 0, frame(reply));
  const auto r = lab.run(in, 1.2);
  ASSERT_EQ(r.outcome.reason, Counter::forwarded_icmp_to_server);
  Bytes want = in;
  kServer11.store(want.data());
  kEth1.store(want.data() + 6);
  EXPECT_EQ(r.out, want);
}

TEST_P(IcmpRelay, ErrorsAboutNoConnectionAndEchoRequestsAreLeftToTheKernel) {
  open(ForwardMethod::masq);
  const FrameSpec stranger = udp(e().vip, 53, e().client, 41000);
  const Bytes in = icmp_error_frame(udp(e().client, 0, e().vip, 0), unreachable_type(),
                                    port_unreachable_code(), 0, frame(stranger));
  EXPECT_EQ(lab.run(in).outcome.reason, Counter::passed_icmp);
  FrameSpec echo = udp(e().client, 0, e().vip, 0);
  echo.protocol = GetParam() ? packet::ipproto::icmpv6 : packet::ipproto::icmp;
  Bytes l4(16, 0);
  l4[0] = GetParam() ? 128 : 8;
  EXPECT_EQ(lab.run(frame_around(echo, l4)).outcome.reason, Counter::passed_icmp);
}

INSTANTIATE_TEST_SUITE_P(Families, IcmpRelay, ::testing::Values(false, true),
                         [](const auto& family) { return family.param ? "Ipv6" : "Ipv4"; });

}  // namespace
}  // namespace vsd::dataplane

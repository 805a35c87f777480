// Behaviour matched: net/netfilter/ipvs/ip_vs_xmit.c (ip_vs_dr_xmit: only the link destination
// changes; ip_vs_nat_xmit: destination address and port, checksums; ip_vs_tunnel_xmit and
// ip_vs_tunnel_xmit_v6: IPIP / IPv6-in-IPv6 from the director's address, DSCP/TTL/DF copied;
// frag-needed / packet-too-big with the MTU left after the outer header), ip_vs_core.c
// (ip_vs_out: NAT replies get the virtual service back as source; ip_vs_leave: port
// unreachable when no real server can take the connection), DPVS FULLNAT (both ends rewritten).
//
// Fixture style after Katran's: an input frame, the frame expected on the wire, the verdict.
// Expected frames are built from scratch with full checksums (frames.h), never by the
// incremental updates under test.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "dataplane/pipeline_lab.h"
#include "packet/ethernet.h"
#include "packet/header_writers.h"
#include "packet/icmp.h"
#include "packet/ipv4.h"
#include "packet/ipv6.h"
#include "packet/l4_checksum.h"
#include "packet/parse.h"

namespace vsd::dataplane {
namespace {

using namespace testing;
using core::ForwardMethod;
using core::Protocol;

struct Case {
  std::string name;
  ForwardMethod method;
  bool v6;
  uint8_t protocol;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.name;
}

class Forwarding : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const Case& c = GetParam();
    vip = c.v6 ? "2001:db8:2::11" : "192.168.2.11";
    client = c.v6 ? "2001:db8:99::5" : "203.0.113.5";
    server = c.v6 ? "2001:db8:10::11" : "10.10.10.11";
    local = c.v6 ? "2001:db8:10::100" : "10.10.10.100";
    own = c.v6 ? "2001:db8:10::1" : "10.10.10.1";
    const Protocol protocol = c.protocol == packet::ipproto::tcp ? Protocol::tcp : Protocol::udp;
    service = lab.lab.add_service(protocol, vip.c_str(), 80);
    server_port = core::keeps_port(c.method) ? 80 : 8080;
    lab.lab.add_destination(service, server.c_str(), server_port, c.method);
  }

  FrameSpec request() const {
    FrameSpec s;
    s.link_source = kRouter;
    s.link_destination = kEth0;
    s.source = client;
    s.destination = vip;
    s.protocol = GetParam().protocol;
    s.payload = 32;
    s.tos = 0x28;
    return s;
  }

  PipelineLab lab;
  core::ServiceKey service;
  std::string vip, client, server, local, own;
  uint16_t server_port = 80;
};

TEST_P(Forwarding, FirstPacketOfAConnection) {
  const Case& c = GetParam();
  const Bytes in = frame(request());
  const auto r = lab.run(in);
  ASSERT_EQ(r.outcome.verdict, Verdict::transmit) << to_string(r.outcome.reason);
  EXPECT_EQ(r.outcome.interface, 1);

  FrameSpec want = request();
  want.link_source = kEth1;
  want.link_destination = kServer11;
  Bytes expected;
  switch (c.method) {
    case ForwardMethod::route:
      expected = frame(want);  // only the link header differs
      break;
    case ForwardMethod::masq:
      want.destination = server;
      want.destination_port = server_port;
      expected = frame(want);
      break;
    case ForwardMethod::fullnat:
      want.source = local;
      want.source_port = 1024;  // worker 0's first port
      want.destination = server;
      want.destination_port = server_port;
      expected = frame(want);
      break;
    case ForwardMethod::tunnel: {
      // Outer header from the director's address on eth1, TOS and TTL of the inner packet,
      // DF copied from an IPv4 inner packet; the inner packet is the one the client sent.
      const Bytes inner(in.begin() + 14, in.end());
      expected.resize(14 + (c.v6 ? 40 : 20));
      packet::write_ethernet_header(expected, kServer11, kEth1,
                                    c.v6 ? packet::ethertype::ipv6 : packet::ethertype::ipv4);
      if (c.v6) {
        packet::Ipv6Fields o;
        o.source = ip(own.c_str()).bytes();
        o.destination = ip(server.c_str()).bytes();
        o.next_header = packet::ipproto::ipv6;
        o.hop_limit = 64;
        o.traffic_class = 0x28;
        o.payload_length = static_cast<uint16_t>(inner.size());
        packet::write_ipv6_header(std::span<uint8_t>(expected).subspan(14), o);
      } else {
        packet::Ipv4Fields o;
        o.source = ip(own.c_str()).v4_host_order();
        o.destination = ip(server.c_str()).v4_host_order();
        o.protocol = packet::ipproto::ipip;
        o.ttl = 64;
        o.tos = 0x28;
        o.dont_fragment = true;
        o.payload_length = static_cast<uint16_t>(inner.size());
        packet::write_ipv4_header(std::span<uint8_t>(expected).subspan(14), o);
      }
      expected.insert(expected.end(), inner.begin(), inner.end());
      break;
    }
    case ForwardMethod::local:
      break;
  }
  EXPECT_EQ(r.out, expected);

  // ipvsadm --stats: one connection, one inbound packet of the IP length.
  const core::RealServer* d = lab.lab.destination(service, server.c_str(), server_port);
  const auto totals = d->stats().totals();
  EXPECT_EQ(totals.conns, 1u);
  EXPECT_EQ(totals.in_packets, 1u);
  EXPECT_EQ(totals.in_bytes, in.size() - 14);
  EXPECT_EQ(lab.lab.view(service).runtime().stats.totals().in_packets, 1u);
}

TEST_P(Forwarding, LaterPacketsFollowTheConnection) {
  FrameSpec first = request();
  const auto r1 = lab.run(frame(first));
  ASSERT_EQ(r1.outcome.verdict, Verdict::transmit);
  FrameSpec next = request();
  next.tcp_flags = 0x10;  // ACK: never scheduled, only found
  next.payload_seed = 0x70;
  const auto r2 = lab.run(frame(next), 1.5);
  ASSERT_EQ(r2.outcome.verdict, Verdict::transmit) << to_string(r2.outcome.reason);
  EXPECT_EQ(r2.outcome.reason, r1.outcome.reason);
  const core::RealServer* d = lab.lab.destination(service, server.c_str(), server_port);
  EXPECT_EQ(d->stats().totals().conns, 1u);
  EXPECT_EQ(d->stats().totals().in_packets, 2u);
  // The rewritten packet's checksum is right for the bytes it now carries.
  const auto p = packet::parse_frame(std::span<const uint8_t>(r2.out));
  if (GetParam().method != ForwardMethod::tunnel) {
    EXPECT_EQ(packet::verify_l4_checksum(std::span<const uint8_t>(r2.out), p),
              packet::ChecksumCheck::good);
  }
}

// NAT and FULLNAT only: with DR and TUN the replies do not pass the director.
class Replies : public Forwarding {};

TEST_P(Replies, ThroughTheDirectorGetTheVirtualServiceBack) {
  const Case& c = GetParam();
  ASSERT_EQ(lab.run(frame(request())).outcome.verdict, Verdict::transmit);

  FrameSpec answer;
  answer.link_source = kServer11;
  answer.link_destination = kEth1;
  answer.source = server;
  answer.source_port = server_port;
  answer.destination = c.method == ForwardMethod::fullnat ? local : client;
  answer.destination_port = c.method == ForwardMethod::fullnat ? 1024 : 40000;
  answer.protocol = c.protocol;
  answer.tcp_flags = 0x12;  // SYN+ACK
  answer.payload = 10;
  answer.ttl = 64;
  const auto r = lab.run(frame(answer), 1.1);
  ASSERT_EQ(r.outcome.verdict, Verdict::transmit) << to_string(r.outcome.reason);
  EXPECT_EQ(r.outcome.interface, 0);

  FrameSpec want = answer;
  want.link_source = kEth0;
  want.link_destination = kRouter;  // the clients are behind the default route
  want.source = vip;
  want.source_port = 80;
  want.destination = client;
  want.destination_port = 40000;
  want.ttl = 63;  // replies are forwarded: the TTL goes down
  EXPECT_EQ(r.out, frame(want));
  EXPECT_EQ(r.outcome.reason, c.method == ForwardMethod::fullnat ? Counter::forwarded_fullnat_reply
                                                                 : Counter::forwarded_nat_reply);
  const core::RealServer* d = lab.lab.destination(service, server.c_str(), server_port);
  EXPECT_EQ(d->stats().totals().out_packets, 1u);
  if (c.protocol == packet::ipproto::tcp) {
    // INPUT syn then OUTPUT syn+ack (the SYN rank wins): SYN_RECV stays, as IPVS's table says.
    auto conn = lab.lab.table.lookup(
        conn::InboundKey{Protocol::tcp, ip(client.c_str()), 40000, ip(vip.c_str()), 80}, at(1.2));
    ASSERT_TRUE(conn);
    EXPECT_EQ(conn.state_name(), "SYN_RECV");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Methods, Forwarding,
    ::testing::Values(Case{"DrTcp4", ForwardMethod::route, false, packet::ipproto::tcp},
                      Case{"DrUdp6", ForwardMethod::route, true, packet::ipproto::udp},
                      Case{"NatTcp4", ForwardMethod::masq, false, packet::ipproto::tcp},
                      Case{"NatUdp4", ForwardMethod::masq, false, packet::ipproto::udp},
                      Case{"NatTcp6", ForwardMethod::masq, true, packet::ipproto::tcp},
                      Case{"NatUdp6", ForwardMethod::masq, true, packet::ipproto::udp},
                      Case{"TunTcp4", ForwardMethod::tunnel, false, packet::ipproto::tcp},
                      Case{"TunUdp6", ForwardMethod::tunnel, true, packet::ipproto::udp},
                      Case{"FullNatTcp4", ForwardMethod::fullnat, false, packet::ipproto::tcp},
                      Case{"FullNatUdp4", ForwardMethod::fullnat, false, packet::ipproto::udp},
                      Case{"FullNatTcp6", ForwardMethod::fullnat, true, packet::ipproto::tcp},
                      Case{"FullNatUdp6", ForwardMethod::fullnat, true, packet::ipproto::udp}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    Methods, Replies,
    ::testing::Values(Case{"NatTcp4", ForwardMethod::masq, false, packet::ipproto::tcp},
                      Case{"NatUdp6", ForwardMethod::masq, true, packet::ipproto::udp},
                      Case{"FullNatTcp4", ForwardMethod::fullnat, false, packet::ipproto::tcp},
                      Case{"FullNatUdp4", ForwardMethod::fullnat, false, packet::ipproto::udp},
                      Case{"FullNatTcp6", ForwardMethod::fullnat, true, packet::ipproto::tcp}),
    case_name);

// ---------------------------------------------------------------------------------------------

TEST(Tunnel, TooBigWithDontFragmentIsAnsweredWithTheReducedMtu) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80);
  lab.lab.add_destination(svc, "10.10.10.11", 80, ForwardMethod::tunnel);
  FrameSpec s;
  s.link_source = kRouter;
  s.payload = 1500 - 40;  // a full 1500-byte IP packet: 20 bytes too many once encapsulated
  const Bytes in = frame(s);
  const auto r = lab.run(in);
  ASSERT_EQ(r.outcome.verdict, Verdict::transmit);
  EXPECT_EQ(r.outcome.reason, Counter::sent_icmp_fragmentation_needed);
  EXPECT_EQ(r.outcome.interface, 0);
  const auto p = packet::parse_frame(std::span<const uint8_t>(r.out));
  auto eth = packet::ethernet_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(eth->destination(), kRouter);  // back where it came from
  auto ip4 = packet::ipv4_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(ip4->source(), ip("192.168.2.11").v4_host_order());  // from the VIP, as icmp_send
  EXPECT_EQ(ip4->destination(), ip("203.0.113.5").v4_host_order());
  auto icmp = packet::icmp_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(icmp->type(), 3);
  EXPECT_EQ(icmp->code(), 4);
  EXPECT_EQ(icmp->next_hop_mtu(), 1480);
  EXPECT_EQ(packet::verify_l4_checksum(std::span<const uint8_t>(r.out), p),
            packet::ChecksumCheck::good);
  EXPECT_EQ(ip4->total_length(), 576);  // as much of the packet as fits in 576 bytes
}

TEST(Tunnel, TooBigWithoutDontFragmentIsDroppedAndCounted) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::udp, "192.168.2.11", 53);
  lab.lab.add_destination(svc, "10.10.10.11", 53, ForwardMethod::tunnel);
  FrameSpec s;
  s.protocol = packet::ipproto::udp;
  s.destination_port = 53;
  s.dont_fragment = false;
  s.payload = 1500 - 28;
  const auto r = lab.run(frame(s));
  EXPECT_EQ(r.outcome.verdict, Verdict::drop);
  EXPECT_EQ(r.outcome.reason, Counter::dropped_would_fragment);
}

TEST(Tunnel, Ipv6TooBigIsAnsweredWithPacketTooBig) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::tcp, "2001:db8:2::11", 80);
  lab.lab.add_destination(svc, "2001:db8:10::11", 80, ForwardMethod::tunnel);
  FrameSpec s;
  s.source = "2001:db8:99::5";
  s.destination = "2001:db8:2::11";
  s.payload = 1500 - 60;
  const auto r = lab.run(frame(s));
  ASSERT_EQ(r.outcome.reason, Counter::sent_icmp_fragmentation_needed);
  const auto p = packet::parse_frame(std::span<const uint8_t>(r.out));
  auto icmp = packet::icmp_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(icmp->type(), 2);
  EXPECT_EQ(icmp->packet_too_big_mtu(), 1460u);
  auto ip6 = packet::ipv6_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(IpAddress::v6(ip6->source()), ip("2001:db8:2::11"));
  EXPECT_EQ(packet::verify_l4_checksum(std::span<const uint8_t>(r.out), p),
            packet::ChecksumCheck::good);
}

TEST(Scheduling, NoDestinationAnswersPortUnreachable) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80);
  lab.lab.add_destination(svc, "10.10.10.11", 80, ForwardMethod::route, 0);  // quiesced
  FrameSpec s;
  s.link_source = kRouter;
  const auto r = lab.run(frame(s));
  ASSERT_EQ(r.outcome.verdict, Verdict::transmit);
  EXPECT_EQ(r.outcome.reason, Counter::sent_icmp_port_unreachable);
  const auto p = packet::parse_frame(std::span<const uint8_t>(r.out));
  auto icmp = packet::icmp_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(icmp->type(), 3);
  EXPECT_EQ(icmp->code(), 3);
}

TEST(Scheduling, TcpWithoutSynAndWithoutConnectionIsLeftToTheKernel) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80);
  lab.lab.add_destination(svc, "10.10.10.11", 80, ForwardMethod::route);
  FrameSpec s;
  s.tcp_flags = 0x10;
  const auto r = lab.run(frame(s));
  EXPECT_EQ(r.outcome.verdict, Verdict::pass);
  EXPECT_EQ(r.outcome.reason, Counter::passed_tcp_no_connection);
  EXPECT_EQ(lab.lab.table.size(), 0u);
}

TEST(Scheduling, TrafficNotForAServiceIsLeftToTheKernel) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80);
  lab.lab.add_destination(svc, "10.10.10.11", 80, ForwardMethod::route);
  FrameSpec s;
  s.destination_port = 22;
  EXPECT_EQ(lab.run(frame(s)).outcome.reason, Counter::passed_not_service);
  s.destination_port = 80;
  s.destination = "192.168.2.1";
  EXPECT_EQ(lab.run(frame(s)).outcome.reason, Counter::passed_not_service);
}

TEST(Scheduling, ConnectionsAreSpreadAndStick) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80, "rr");
  lab.lab.add_destination(svc, "10.10.10.11", 80, ForwardMethod::route);
  lab.lab.add_destination(svc, "10.10.10.12", 80, ForwardMethod::route);
  std::vector<packet::MacAddress> first;
  for (uint16_t port = 40000; port < 40004; ++port) {
    FrameSpec s;
    s.source_port = port;
    first.push_back(packet::MacAddress::from(lab.run(frame(s)).out.data()));
  }
  EXPECT_EQ(first, (std::vector<packet::MacAddress>{kServer11, kServer12, kServer11, kServer12}));
  for (uint16_t port = 40000; port < 40004; ++port) {
    FrameSpec s;
    s.source_port = port;
    s.tcp_flags = 0x10;
    EXPECT_EQ(packet::MacAddress::from(lab.run(frame(s)).out.data()), first[port - 40000]);
  }
}

TEST(FullNat, LocalPortsAreNotReusedWhileTheirConnectionLives) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80);
  lab.lab.add_destination(svc, "10.10.10.11", 8080, ForwardMethod::fullnat);
  std::set<uint16_t> ports;
  for (uint16_t i = 0; i < 50; ++i) {
    FrameSpec s;
    s.source_port = static_cast<uint16_t>(30000 + i);
    const auto r = lab.run(frame(s));
    ASSERT_EQ(r.outcome.reason, Counter::forwarded_fullnat);
    const auto p = packet::parse_frame(std::span<const uint8_t>(r.out));
    ports.insert(packet::load_be16(r.out.data() + p.l4_offset));
  }
  EXPECT_EQ(ports.size(), 50u);
}

}  // namespace
}  // namespace vsd::dataplane

namespace vsd::dataplane {
namespace {

using namespace testing;

// process_batch looks connections up together; what it decides must not differ from one by one.
TEST(Batch, DecidesAsPacketByPacket) {
  auto scenario = [](PipelineLab& lab) {
    const auto nat = lab.lab.add_service(core::Protocol::tcp, "192.168.2.11", 80);
    lab.lab.add_destination(nat, "10.10.10.11", 8080, core::ForwardMethod::masq);
    const auto dr = lab.lab.add_service(core::Protocol::udp, "192.168.2.12", 53);
    lab.lab.add_destination(dr, "10.10.10.12", 53, core::ForwardMethod::route);
    std::vector<Bytes> frames;
    for (uint16_t i = 0; i < 40; ++i) {
      FrameSpec s;
      s.source_port = static_cast<uint16_t>(40000 + i % 7);
      s.tcp_flags = i < 7 ? 0x02 : 0x10;
      if (i % 3 == 0) {
        s.protocol = packet::ipproto::udp;
        s.destination = "192.168.2.12";
        s.destination_port = 53;
      }
      if (i % 11 == 5) s.destination_port = 22;  // not a service
      frames.push_back(frame(s));
    }
    frames.push_back(Bytes(frames[0].begin(), frames[0].begin() + 20));  // truncated
    return frames;
  };
  PipelineLab one;
  PipelineLab many;
  const std::vector<Bytes> frames = scenario(one);
  scenario(many);
  std::vector<Bytes> singly;
  std::vector<Outcome> single_outcomes;
  for (const Bytes& f : frames) {
    auto r = one.run(f);
    singly.push_back(r.out);
    single_outcomes.push_back(r.outcome);
  }
  // All at once, after the connections exist (the first 7 opened them one by one too).
  std::vector<std::vector<uint8_t>> storage(frames.size());
  std::vector<xmit::PacketBuffer> buffers;
  for (size_t i = 0; i < 7; ++i) many.run(frames[i]);
  for (size_t i = 0; i < frames.size(); ++i) {
    storage[i].assign(128 + 1600, 0);
    std::copy(frames[i].begin(), frames[i].end(), storage[i].begin() + 128);
    buffers.emplace_back(storage[i], 128, static_cast<uint32_t>(frames[i].size()));
  }
  std::vector<RxInfo> rx(frames.size());
  std::vector<Outcome> outcomes(frames.size());
  many.pipeline.begin_batch(at(1));
  many.pipeline.process_batch(buffers, rx, outcomes, *many.lab.snapshot, at(1));
  for (size_t i = 7; i < frames.size(); ++i) {
    EXPECT_EQ(outcomes[i].reason, single_outcomes[i].reason) << i;
    const auto f = buffers[i].frame();
    EXPECT_EQ(Bytes(f.begin(), f.end()), singly[i]) << i;
  }
}

}  // namespace
}  // namespace vsd::dataplane

// Behaviour matched: net/netfilter/ipvs/ip_vs_proto_tcp.c / ip_vs_proto_udp.c (tcp_dnat_handler,
// udp_snat_handler: a bad checksum is dropped before NAT rewrites it; DR and TUN do not look),
// net/ipv4/ip_forward.c (a forwarded packet whose TTL would reach 0 is answered with time
// exceeded), net/ipv4/arp.c (a next hop without a link address is asked for, the packet is not
// held), lab-notes traps 3 and 4 (CHECKSUM_PARTIAL frames finished in software, GSO-sized frames
// dropped with a counter). Every outcome is documented in docs/dataplane.md.
#include <gtest/gtest.h>

#include <numeric>

#include "common/random.h"
#include "dataplane/neighbour_discovery.h"
#include "dataplane/pipeline_lab.h"
#include "packet/arp_builder.h"
#include "packet/checksum.h"
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

class Robustness : public ::testing::Test {
 protected:
  void SetUp() override {
    nat = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80);
    lab.lab.add_destination(nat, "10.10.10.11", 8080, ForwardMethod::masq);
    dr = lab.lab.add_service(Protocol::tcp, "192.168.2.12", 80);
    lab.lab.add_destination(dr, "10.10.10.12", 80, ForwardMethod::route);
  }
  PipelineLab lab;
  core::ServiceKey nat, dr;
};

TEST_F(Robustness, TruncatedAndMalformedFramesAreDroppedAndCounted) {
  const Bytes good = frame(FrameSpec{});
  for (size_t cut : {size_t{6}, size_t{20}, size_t{40}}) {
    const Bytes truncated(good.begin(), good.begin() + static_cast<long>(cut));
    EXPECT_EQ(lab.run(truncated).outcome.reason, Counter::dropped_truncated) << cut;
  }
  Bytes bad_ihl = good;
  bad_ihl[14] = 0x44;
  EXPECT_EQ(lab.run(bad_ihl).outcome.reason, Counter::dropped_malformed);
  Bytes bad_offset = good;
  bad_offset[14 + 20 + 12] = 0x20;  // TCP data offset 2
  EXPECT_EQ(lab.run(bad_offset).outcome.reason, Counter::dropped_malformed);
  EXPECT_EQ(lab.lab.table.size(), 0u);
}

TEST_F(Robustness, BadIpHeaderChecksumIsDropped) {
  Bytes f = frame(FrameSpec{});
  f[14 + 10] ^= 0x01;
  EXPECT_EQ(lab.run(f).outcome.reason, Counter::dropped_bad_ip_checksum);
}

TEST_F(Robustness, BadL4ChecksumIsDroppedWhereTheMethodRewritesIt) {
  FrameSpec s;
  s.payload = 8;
  Bytes f = frame(s);
  f.back() ^= 0xff;  // payload changed under the checksum
  EXPECT_EQ(lab.run(f).outcome.reason, Counter::dropped_bad_l4_checksum);
  // DR leaves layer 4 alone, as IPVS: the real server judges it.
  s.destination = "192.168.2.12";
  Bytes g = frame(s);
  g.back() ^= 0xff;
  EXPECT_EQ(lab.run(g).outcome.reason, Counter::forwarded_dr);
  // The NIC's verdict is trusted when it gave one.
  RxInfo verified;
  verified.checksum_verified = true;
  EXPECT_EQ(lab.run(f, 1.0, verified).outcome.reason, Counter::forwarded_nat);
}

TEST_F(Robustness, PartialChecksumIsFinishedBeforeTheRewrite) {
  // A frame as AF_PACKET shows it with TP_STATUS_CSUMNOTREADY: the pseudo-header sum only.
  FrameSpec s;
  s.payload = 40;
  Bytes f = frame(s);
  const auto p = packet::parse_frame(std::span<const uint8_t>(f));
  const uint16_t seed = packet::pseudo_header_sum_v4(
      ip("203.0.113.5").v4_host_order(), ip("192.168.2.11").v4_host_order(), 6, p.l4_length);
  packet::store_be16(f.data() + p.l4_offset + 16, seed);
  RxInfo rx;
  rx.checksum_partial = true;
  const auto r = lab.run(f, 1.0, rx);
  ASSERT_EQ(r.outcome.reason, Counter::forwarded_nat);
  const auto q = packet::parse_frame(std::span<const uint8_t>(r.out));
  EXPECT_EQ(packet::verify_l4_checksum(std::span<const uint8_t>(r.out), q),
            packet::ChecksumCheck::good);
}

TEST_F(Robustness, PartialChecksumIsRecognisedWhenTheBackendCannotTell) {
  // AF_XDP in copy mode: no status bit, the field holds the pseudo-header sum.
  FrameSpec s;
  s.payload = 40;
  s.protocol = packet::ipproto::udp;
  s.destination_port = 80;
  lab.lab.add_service(Protocol::udp, "192.168.2.11", 80);
  lab.lab.add_destination(core::ServiceKey::virtual_address(Protocol::udp, ip("192.168.2.11"), 80),
                          "10.10.10.11", 8080, ForwardMethod::masq);
  Bytes f = frame(s);
  const auto p = packet::parse_frame(std::span<const uint8_t>(f));
  packet::store_be16(
      f.data() + p.l4_offset + 6,
      packet::pseudo_header_sum_v4(ip("203.0.113.5").v4_host_order(),
                                   ip("192.168.2.11").v4_host_order(), 17, p.l4_length));
  RxInfo rx;
  rx.checksum_may_be_partial = true;
  const auto r = lab.run(f, 1.0, rx);
  ASSERT_EQ(r.outcome.reason, Counter::forwarded_nat);
  const auto q = packet::parse_frame(std::span<const uint8_t>(r.out));
  EXPECT_EQ(packet::verify_l4_checksum(std::span<const uint8_t>(r.out), q),
            packet::ChecksumCheck::good);
  // Without the hint the same frame is a bad checksum.
  EXPECT_EQ(lab.run(f, 1.1).outcome.reason, Counter::dropped_bad_l4_checksum);
}

TEST_F(Robustness, OversizedFramesAreDropped) {
  FrameSpec s;
  s.payload = 9000;  // a GSO super-frame handed over by a veth
  EXPECT_EQ(lab.run(frame(s)).outcome.reason, Counter::dropped_oversized);
}

TEST_F(Robustness, ReplyWithExpiringTtlIsAnsweredWithTimeExceeded) {
  FrameSpec syn;
  ASSERT_EQ(lab.run(frame(syn)).outcome.reason, Counter::forwarded_nat);
  FrameSpec reply;
  reply.link_source = kServer11;
  reply.source = "10.10.10.11";
  reply.source_port = 8080;
  reply.destination = "203.0.113.5";
  reply.destination_port = 40000;
  reply.tcp_flags = 0x12;
  reply.ttl = 1;
  RxInfo on_eth1;
  on_eth1.interface = 1;
  const auto r = lab.run(frame(reply), 1.1, on_eth1);
  ASSERT_EQ(r.outcome.reason, Counter::sent_icmp_time_exceeded);
  EXPECT_EQ(r.outcome.interface, 1);
  const auto p = packet::parse_frame(std::span<const uint8_t>(r.out));
  auto ip4 = packet::ipv4_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(ip4->source(), ip("10.10.10.1").v4_host_order());
  EXPECT_EQ(ip4->destination(), ip("10.10.10.11").v4_host_order());
  EXPECT_EQ(packet::icmp_header(std::span<const uint8_t>(r.out), p)->type(), 11);
  EXPECT_EQ(packet::MacAddress::from(r.out.data()), kServer11);
  // Inbound packets are delivered to the VIP, not forwarded: TTL 1 goes through (as IPVS).
  FrameSpec low;
  low.ttl = 1;
  low.source_port = 40001;
  EXPECT_EQ(lab.run(frame(low)).outcome.reason, Counter::forwarded_nat);
}

TEST_F(Robustness, UnknownProtocolsAndEthertypesAreLeftToTheKernel) {
  FrameSpec gre;
  gre.protocol = 47;
  EXPECT_EQ(lab.run(frame(gre)).outcome.reason, Counter::passed_not_service);
  Bytes other = frame(FrameSpec{});
  other[12] = 0x88;
  other[13] = 0xcc;  // LLDP
  EXPECT_EQ(lab.run(other).outcome.reason, Counter::passed_not_ip);
}

TEST_F(Robustness, SctpToAServiceIsDroppedAsUnsupported) {
  lab.lab.add_service(Protocol::sctp, "192.168.2.11", 80);
  FrameSpec s;
  s.protocol = packet::ipproto::sctp;
  s.payload = 12;
  EXPECT_EQ(lab.run(frame(s)).outcome.reason, Counter::dropped_unsupported);
}

TEST(Neighbours, AnUnknownNextHopIsAskedForAndLearntFromTheReply) {
  DataplaneSettings settings = lab_settings();
  settings.neighbours.clear();  // nothing known
  PipelineLab lab(settings);
  const auto svc = lab.lab.add_service(Protocol::tcp, "192.168.2.11", 80);
  lab.lab.add_destination(svc, "10.10.10.11", 80, ForwardMethod::route);
  FrameSpec s;
  const auto r = lab.run(frame(s));
  ASSERT_EQ(r.outcome.reason, Counter::sent_arp_request);
  EXPECT_EQ(r.outcome.interface, 1);
  Bytes want(42);
  packet::ArpFields arp;
  arp.operation = packet::arp_op::request;
  arp.sender_mac = kEth1;
  arp.sender_ip = ip("10.10.10.1").v4_host_order();
  arp.target_ip = ip("10.10.10.11").v4_host_order();
  packet::build_arp_frame(want, packet::MacAddress::broadcast(), arp);
  EXPECT_EQ(r.out, want);
  // Asked already: the next packet is dropped, not a second request.
  s.tcp_flags = 0x10;
  EXPECT_EQ(lab.run(frame(s), 1.2).outcome.reason, Counter::dropped_neighbour_unresolved);
  // The answer arrives; the connection's packets flow.
  Bytes answer(42);
  packet::ArpFields reply;
  reply.operation = packet::arp_op::reply;
  reply.sender_mac = kServer11;
  reply.sender_ip = ip("10.10.10.11").v4_host_order();
  reply.target_mac = kEth1;
  reply.target_ip = ip("10.10.10.1").v4_host_order();
  packet::build_arp_frame(answer, kEth1, reply);
  RxInfo on_eth1;
  on_eth1.interface = 1;
  EXPECT_EQ(lab.run(answer, 1.3, on_eth1).outcome.reason, Counter::passed_not_ip);
  const auto r2 = lab.run(frame(s), 1.4);
  EXPECT_EQ(r2.outcome.reason, Counter::forwarded_dr);
  EXPECT_EQ(packet::MacAddress::from(r2.out.data()), kServer11);
}

// Seeded: arbitrary mutations of valid frames never crash, and every packet ends in exactly one
// outcome counter.
TEST_F(Robustness, MutatedFramesEachEndInOneCountedOutcome) {
  SplitMix64 random(20261121);
  std::vector<Bytes> seeds;
  FrameSpec s;
  seeds.push_back(frame(s));
  s.destination = "192.168.2.12";
  seeds.push_back(frame(s));
  s.protocol = packet::ipproto::udp;
  seeds.push_back(frame(s));
  s.source = "2001:db8:99::5";
  s.destination = "2001:db8:2::11";
  seeds.push_back(frame(s));
  const size_t rounds = 20000;
  for (size_t i = 0; i < rounds; ++i) {
    Bytes f = seeds[random.below(seeds.size())];
    const uint64_t edits = 1 + random.below(4);
    for (uint64_t e = 0; e < edits; ++e)
      f[random.below(f.size())] = static_cast<uint8_t>(random.next());
    if (random.below(4) == 0) f.resize(random.below(f.size() + 1));
    lab.run(f, 1.0 + static_cast<double>(i) * 1e-4);
  }
  const WorkerCounters& c = lab.pipeline.counters();
  uint64_t outcomes = 0;
  for (size_t k = 1; k < kCounterCount; ++k) outcomes += c.values[k];
  EXPECT_EQ(c[Counter::received], rounds);
  EXPECT_EQ(outcomes, rounds);
}

}  // namespace
}  // namespace vsd::dataplane

namespace vsd::dataplane {
namespace {

using namespace testing;

TEST(Neighbours, WhoHasForAFullNatLocalAddressIsAnsweredByVsd) {
  PipelineLab lab;
  Bytes ask(42);
  packet::ArpFields who;
  who.operation = packet::arp_op::request;
  who.sender_mac = kServer11;
  who.sender_ip = ip("10.10.10.11").v4_host_order();
  who.target_ip = ip("10.10.10.100").v4_host_order();
  packet::build_arp_frame(ask, packet::MacAddress::broadcast(), who);
  RxInfo on_eth1;
  on_eth1.interface = 1;
  const auto r = lab.run(ask, 1.0, on_eth1);
  ASSERT_EQ(r.outcome.reason, Counter::sent_arp_reply);
  EXPECT_EQ(r.outcome.interface, 1);
  Bytes want(42);
  packet::ArpFields answer;
  answer.operation = packet::arp_op::reply;
  answer.sender_mac = kEth1;
  answer.sender_ip = ip("10.10.10.100").v4_host_order();
  answer.target_mac = kServer11;
  answer.target_ip = ip("10.10.10.11").v4_host_order();
  packet::build_arp_frame(want, kServer11, answer);
  EXPECT_EQ(r.out, want);
  // Anyone else's address is the kernel's to answer.
  who.target_ip = ip("10.10.10.1").v4_host_order();
  packet::build_arp_frame(ask, packet::MacAddress::broadcast(), who);
  EXPECT_EQ(lab.run(ask, 1.0, on_eth1).outcome.reason, Counter::passed_not_ip);
}

}  // namespace
}  // namespace vsd::dataplane

namespace vsd::dataplane {
namespace {

using namespace testing;

// RFC 4861 4.3 / 4.4 and RFC 4291 2.7.1 (solicited-node group), as Linux's ndisc.c sends them.
TEST(Neighbours, Ipv6NextHopsAreSolicitedAndLearntFromTheAdvertisement) {
  DataplaneSettings settings = lab_settings();
  settings.neighbours.clear();
  PipelineLab lab(settings);
  const auto svc = lab.lab.add_service(core::Protocol::tcp, "2001:db8:2::11", 80);
  lab.lab.add_destination(svc, "2001:db8:10::11", 80, core::ForwardMethod::route);
  FrameSpec s;
  s.source = "2001:db8:99::5";
  s.destination = "2001:db8:2::11";
  const auto r = lab.run(frame(s));
  ASSERT_EQ(r.outcome.reason, Counter::sent_neighbour_solicitation);
  EXPECT_EQ(r.outcome.interface, 1);
  const auto p = packet::parse_frame(std::span<const uint8_t>(r.out));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(packet::MacAddress::from(r.out.data()),
            (packet::MacAddress{{0x33, 0x33, 0xff, 0x00, 0x00, 0x11}}));
  auto ip6 = packet::ipv6_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(IpAddress::v6(ip6->destination()), ip("ff02::1:ff00:11"));
  EXPECT_EQ(IpAddress::v6(ip6->source()), ip("2001:db8:10::1"));
  EXPECT_EQ(ip6->hop_limit(), 255);
  EXPECT_EQ(packet::verify_l4_checksum(std::span<const uint8_t>(r.out), p),
            packet::ChecksumCheck::good);
  auto nd = read_neighbour_message(std::span<const uint8_t>(r.out), p);
  ASSERT_TRUE(nd);
  EXPECT_EQ(nd->type, 135);
  EXPECT_EQ(IpAddress::v6(nd->target), ip("2001:db8:10::11"));
  EXPECT_EQ(*nd->link_address, kEth1);

  // The real server answers (an advertisement built the same way, checked the same way).
  Bytes answer(200);
  const size_t n = build_neighbour_advertisement(answer, kServer11, ip("2001:db8:10::11").bytes(),
                                                 kEth1, ip("2001:db8:10::1").bytes());
  answer.resize(n);
  RxInfo on_eth1;
  on_eth1.interface = 1;
  EXPECT_EQ(lab.run(answer, 1.1, on_eth1).outcome.reason, Counter::passed_icmp);
  s.tcp_flags = 0x10;
  const auto r2 = lab.run(frame(s), 1.2);
  EXPECT_EQ(r2.outcome.reason, Counter::forwarded_dr);
  EXPECT_EQ(packet::MacAddress::from(r2.out.data()), kServer11);
}

TEST(Neighbours, SolicitationForAnIpv6FullNatLocalAddressIsAnsweredByVsd) {
  PipelineLab lab;
  Bytes ask(200);
  ask.resize(build_neighbour_solicitation(ask, kServer11, ip("2001:db8:10::11").bytes(),
                                          ip("2001:db8:10::100").bytes()));
  RxInfo on_eth1;
  on_eth1.interface = 1;
  const auto r = lab.run(ask, 1.0, on_eth1);
  ASSERT_EQ(r.outcome.reason, Counter::sent_neighbour_advertisement);
  const auto p = packet::parse_frame(std::span<const uint8_t>(r.out));
  EXPECT_EQ(packet::MacAddress::from(r.out.data()), kServer11);
  auto ip6 = packet::ipv6_header(std::span<const uint8_t>(r.out), p);
  EXPECT_EQ(IpAddress::v6(ip6->source()), ip("2001:db8:10::100"));
  EXPECT_EQ(IpAddress::v6(ip6->destination()), ip("2001:db8:10::11"));
  EXPECT_EQ(packet::verify_l4_checksum(std::span<const uint8_t>(r.out), p),
            packet::ChecksumCheck::good);
  auto nd = read_neighbour_message(std::span<const uint8_t>(r.out), p);
  ASSERT_TRUE(nd);
  EXPECT_EQ(nd->type, 136);
  EXPECT_EQ(*nd->link_address, kEth1);
  EXPECT_EQ(packet::load_be32(r.out.data() + p.l4_offset + 4), 0x60000000u);  // S and O flags
  // A solicitation for the kernel's own address is the kernel's.
  ask.assign(200, 0);
  ask.resize(build_neighbour_solicitation(ask, kServer11, ip("2001:db8:10::11").bytes(),
                                          ip("2001:db8:10::1").bytes()));
  EXPECT_EQ(lab.run(ask, 1.1, on_eth1).outcome.reason, Counter::passed_icmp);
}

}  // namespace
}  // namespace vsd::dataplane

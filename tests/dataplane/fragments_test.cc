// Behaviour matched: IPVS itself sees whole datagrams only (netfilter's defragmentation runs
// first, net/netfilter/ipvs/ip_vs_core.c ip_vs_gather_frags). vsd forwards fragments without
// reassembly where the method leaves ports alone (DR, TUN): the first fragment is scheduled and
// the others follow its decision; NAT and FULLNAT fragments are dropped and counted
// (docs/dataplane.md).
#include <gtest/gtest.h>

#include <algorithm>

#include "dataplane/pipeline_lab.h"
#include "packet/checksum.h"
#include "packet/parse.h"

namespace vsd::dataplane {
namespace {

using namespace testing;
using core::ForwardMethod;
using core::Protocol;

// Splits an IPv4 frame's payload at `split` bytes (a multiple of 8): two fragments.
std::pair<Bytes, Bytes> ipv4_fragments(const Bytes& whole, size_t split) {
  constexpr size_t kL2 = 14;
  constexpr size_t kIp = 20;
  const size_t payload = whole.size() - kL2 - kIp;
  auto make = [&](size_t from, size_t length, bool more) {
    Bytes f(whole.begin(), whole.begin() + kL2 + kIp);
    f.insert(f.end(), whole.begin() + static_cast<long>(kL2 + kIp + from),
             whole.begin() + static_cast<long>(kL2 + kIp + from + length));
    uint8_t* ip = f.data() + kL2;
    packet::store_be16(ip + 2, static_cast<uint16_t>(kIp + length));
    packet::store_be16(ip + 6, static_cast<uint16_t>((more ? 0x2000 : 0) | (from / 8)));
    packet::store_be16(ip + 10, 0);
    packet::store_be16(ip + 10, packet::internet_checksum({ip, kIp}));
    return f;
  };
  return {make(0, split, true), make(split, payload - split, false)};
}

FrameSpec big_udp(uint16_t port = 53) {
  FrameSpec s;
  s.protocol = packet::ipproto::udp;
  s.destination_port = port;
  s.dont_fragment = false;
  s.link_source = kRouter;
  s.payload = 200;
  return s;
}

Bytes with_link(Bytes f, const packet::MacAddress& to, const packet::MacAddress& from) {
  to.store(f.data());
  from.store(f.data() + 6);
  return f;
}

TEST(Fragments, DrForwardsEveryFragmentToTheFirstOnesRealServer) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::udp, "192.168.2.11", 53, "rr");
  lab.lab.add_destination(svc, "10.10.10.11", 53, ForwardMethod::route);
  lab.lab.add_destination(svc, "10.10.10.12", 53, ForwardMethod::route);
  // Two datagrams from two clients: rr sends them to different servers.
  for (int client = 0; client < 2; ++client) {
    FrameSpec s = big_udp();
    s.source_port = static_cast<uint16_t>(40000 + client);
    s.id = static_cast<uint16_t>(0x100 + client);
    const auto [first, second] = ipv4_fragments(frame(s), 96);
    const packet::MacAddress server = client == 0 ? kServer11 : kServer12;
    const auto r1 = lab.run(first, 1.0);
    ASSERT_EQ(r1.outcome.reason, Counter::forwarded_dr);
    EXPECT_EQ(r1.out, with_link(first, server, kEth1));
    const auto r2 = lab.run(second, 1.01);
    ASSERT_EQ(r2.outcome.reason, Counter::forwarded_fragment);
    EXPECT_EQ(r2.out, with_link(second, server, kEth1));
  }
  const auto* d = lab.lab.destination(svc, "10.10.10.11", 53);
  EXPECT_EQ(d->stats().totals().in_packets, 2u);  // both fragments counted
}

TEST(Fragments, TunnelEncapsulatesTheLaterFragmentsToo) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::udp, "192.168.2.11", 53);
  lab.lab.add_destination(svc, "10.10.10.11", 53, ForwardMethod::tunnel);
  const auto [first, second] = ipv4_fragments(frame(big_udp()), 96);
  EXPECT_EQ(lab.run(first).outcome.reason, Counter::forwarded_tunnel);
  const auto r = lab.run(second, 1.01);
  ASSERT_EQ(r.outcome.reason, Counter::forwarded_fragment);
  ASSERT_EQ(r.out.size(), second.size() + 20);
  EXPECT_EQ(r.out[14 + 9], packet::ipproto::ipip);
  EXPECT_EQ(Bytes(r.out.begin() + 34, r.out.end()), Bytes(second.begin() + 14, second.end()));
}

TEST(Fragments, LaterFragmentWithoutItsFirstIsDropped) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::udp, "192.168.2.11", 53);
  lab.lab.add_destination(svc, "10.10.10.11", 53, ForwardMethod::route);
  const auto [first, second] = ipv4_fragments(frame(big_udp()), 96);
  EXPECT_EQ(lab.run(second).outcome.reason, Counter::dropped_fragment_unknown);
  // The decision lives fragment_timeout (2 s) only.
  EXPECT_EQ(lab.run(first, 1.0).outcome.reason, Counter::forwarded_dr);
  EXPECT_EQ(lab.run(second, 3.5).outcome.reason, Counter::dropped_fragment_unknown);
}

// Splits an IPv6 frame (no extension headers) into two fragments behind a fragment header.
std::pair<Bytes, Bytes> ipv6_fragments(const Bytes& whole, size_t split, uint32_t id) {
  constexpr size_t kL2 = 14;
  constexpr size_t kIp = 40;
  const uint8_t next = whole[kL2 + 6];
  const size_t payload = whole.size() - kL2 - kIp;
  // Sized once and written in place (GCC 12 at -O3 misreads vector::insert onto a 54-byte
  // vector as an out-of-bounds memcpy).
  auto make = [&](size_t from, size_t length, bool more) {
    Bytes f(kL2 + kIp + 8 + length, 0);
    std::copy_n(whole.begin(), kL2 + kIp, f.begin());
    f[kL2 + 6] = packet::ipproto::fragment;
    packet::store_be16(f.data() + kL2 + 4, static_cast<uint16_t>(8 + length));
    uint8_t* header = f.data() + kL2 + kIp;
    header[0] = next;
    packet::store_be16(header + 2, static_cast<uint16_t>(from | (more ? 1 : 0)));
    packet::store_be32(header + 4, id);
    std::copy_n(whole.begin() + static_cast<long>(kL2 + kIp + from), length,
                f.begin() + static_cast<long>(kL2 + kIp + 8));
    return f;
  };
  return {make(0, split, true), make(split, payload - split, false)};
}

TEST(Fragments, Ipv6FragmentsFollowTheFirstOneToo) {
  PipelineLab lab;
  const auto svc = lab.lab.add_service(Protocol::udp, "2001:db8:2::11", 53);
  lab.lab.add_destination(svc, "2001:db8:10::11", 53, ForwardMethod::route);
  FrameSpec s = big_udp();
  s.source = "2001:db8:99::5";
  s.destination = "2001:db8:2::11";
  const auto [first, second] = ipv6_fragments(frame(s), 96, 0xabcdef);
  const auto r1 = lab.run(first);
  ASSERT_EQ(r1.outcome.reason, Counter::forwarded_dr);
  EXPECT_EQ(r1.out, with_link(first, kServer11, kEth1));
  const auto r2 = lab.run(second, 1.01);
  ASSERT_EQ(r2.outcome.reason, Counter::forwarded_fragment);
  EXPECT_EQ(r2.out, with_link(second, kServer11, kEth1));
  // Another datagram id from the same client has no decision.
  const auto [other_first, other_second] = ipv6_fragments(frame(s), 96, 0x1234);
  EXPECT_EQ(lab.run(other_second, 1.02).outcome.reason, Counter::dropped_fragment_unknown);
}

TEST(Fragments, NatAndFullNatFragmentsAreDropped) {
  for (ForwardMethod method : {ForwardMethod::masq, ForwardMethod::fullnat}) {
    PipelineLab lab;
    const auto svc = lab.lab.add_service(Protocol::udp, "192.168.2.11", 53);
    lab.lab.add_destination(svc, "10.10.10.11", 5353, method);
    const auto [first, second] = ipv4_fragments(frame(big_udp()), 96);
    EXPECT_EQ(lab.run(first).outcome.reason, Counter::dropped_fragment_nat);
    EXPECT_EQ(lab.run(second, 1.01).outcome.reason, Counter::dropped_fragment_unknown);
  }
}

}  // namespace
}  // namespace vsd::dataplane

// Behaviour matched: RFC 1624 (equation 3 and its section 4 example), net/core/utils.c
// (inet_proto_csum_replace4/16: the pseudo-header part of an address change, and the
// CHECKSUM_PARTIAL case), net/netfilter/ipvs/ip_vs_proto_tcp.c and ip_vs_proto_udp.c
// (tcp/udp_fast_csum_update), net/netfilter/ipvs/ip_vs_core.c (ip_vs_nat_icmp: the quoted
// packet's ports and IP header change, its L4 checksum does not).
#include "packet/nat_rewrite.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "packet/byte_order.h"
#include "packet/checksum.h"
#include "packet/checksum_update.h"
#include "packet/fixtures.h"
#include "packet/frame_bytes.h"
#include "packet/header_writers.h"
#include "packet/icmp.h"
#include "packet/ipv4.h"
#include "packet/l4_checksum.h"
#include "packet/numbers.h"
#include "packet/tcp.h"
#include "packet/udp.h"

namespace vsd::packet {
namespace {

using namespace testing;
namespace fx = fixtures;

TEST(ChecksumUpdate, Rfc1624Example) {
  // RFC 1624 section 4: HC = 0xdd2f, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000.
  EXPECT_EQ(checksum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
}

TEST(ChecksumUpdate, WordUpdatesMatchRecomputation) {
  Bytes frame = bytes_of(fx::kTcpSyn);
  ParsedPacket p = parse(frame);
  auto ip = *ipv4_header(span_of(frame), p);
  const uint16_t before = ip.checksum();
  ip.set_ttl(63);
  // TTL shares its word with the protocol.
  EXPECT_EQ(checksum_update16(before, 0x4006, 0x3f06), ip.computed_checksum());
  const uint32_t old_source = ip.source();
  ip.set_source(ip4("203.0.113.77"));
  EXPECT_EQ(checksum_update32(checksum_update16(before, 0x4006, 0x3f06), old_source, ip.source()),
            ip.computed_checksum());
}

TEST(NatRewrite, TcpDestinationNatMatchesScapy) {
  Bytes frame = bytes_of(fx::kTcpSyn);
  ParsedPacket p = parse(frame);
  ASSERT_TRUE(rewrite_ipv4_destination(span_of(frame), p, ip4("10.0.0.5")));
  ASSERT_TRUE(rewrite_destination_port(span_of(frame), p, 8080));
  auto ip = ipv4_header(cspan_of(frame), p);
  auto tcp = tcp_header(cspan_of(frame), p);
  EXPECT_EQ(ip->destination(), ip4("10.0.0.5"));
  EXPECT_EQ(tcp->destination_port(), 8080);
  // scapy 2.5.0, the same SYN built with dst="10.0.0.5", dport=8080: IP 0x5278, TCP 0x849e.
  EXPECT_EQ(ip->checksum(), 0x5278);
  EXPECT_EQ(tcp->checksum(), 0x849e);
}

TEST(NatRewrite, UdpOverIpv6ChainMatchesScapy) {
  Bytes frame = bytes_of(fx::kUdp6Chain);
  ParsedPacket p = parse(frame);
  ASSERT_TRUE(rewrite_ipv6_destination(span_of(frame), p, ip6("2001:db8::100")));
  ASSERT_TRUE(rewrite_destination_port(span_of(frame), p, 53));
  // scapy 2.5.0, the same packet built with dst="2001:db8::100", dport=53: UDP 0x9370.
  EXPECT_EQ(udp_header(cspan_of(frame), p)->checksum(), 0x9370);
}

TEST(NatRewrite, Ipv4UdpWithoutChecksumKeepsNone) {
  Bytes frame = bytes_of(fx::kUdpVlanOptions);
  ParsedPacket p = parse(frame);
  store_be16(frame.data() + p.l4_offset + 6, 0);
  ASSERT_TRUE(rewrite_ipv4_source(span_of(frame), p, ip4("10.200.0.1")));
  ASSERT_TRUE(rewrite_source_port(span_of(frame), p, 61000));
  EXPECT_EQ(udp_header(cspan_of(frame), p)->checksum(), 0);
  EXPECT_EQ(verify_l4_checksum(cspan_of(frame), p), ChecksumCheck::absent);
  EXPECT_TRUE(ipv4_header_checksum_ok(cspan_of(frame), p));
}

TEST(NatRewrite, IcmpEchoHasNoPseudoHeaderButIcmpv6Has) {
  Bytes v4 = bytes_of(fx::kIcmpEcho);
  ParsedPacket p4 = parse(v4);
  ASSERT_TRUE(rewrite_ipv4_destination(span_of(v4), p4, ip4("10.0.0.9")));
  EXPECT_EQ(icmp_header(cspan_of(v4), p4)->checksum(), fx::kIcmpEchoIcmpChecksum);
  EXPECT_EQ(verify_l4_checksum(cspan_of(v4), p4), ChecksumCheck::good);
  EXPECT_FALSE(rewrite_destination_port(span_of(v4), p4, 1));  // ICMP has no ports

  Bytes v6 = bytes_of(fx::kIcmp6Echo);
  ParsedPacket p6 = parse(v6);
  ASSERT_TRUE(rewrite_ipv6_source(span_of(v6), p6, ip6("fd00::1234")));
  EXPECT_NE(icmp_header(cspan_of(v6), p6)->checksum(), fx::kIcmp6EchoChecksum);
  EXPECT_EQ(verify_l4_checksum(cspan_of(v6), p6), ChecksumCheck::good);
}

TEST(NatRewrite, NonFirstFragmentChangesOnlyTheIpHeader) {
  Bytes frame = bytes_of(fx::kFragmentSecond);
  ParsedPacket p = parse(frame);
  const Bytes before = frame;
  EXPECT_FALSE(rewrite_destination_port(span_of(frame), p, 1));
  EXPECT_EQ(frame, before);
  ASSERT_TRUE(rewrite_ipv4_destination(span_of(frame), p, ip4("10.0.0.5")));
  EXPECT_TRUE(ipv4_header_checksum_ok(cspan_of(frame), p));
  EXPECT_TRUE(std::equal(frame.begin() + 34, frame.end(), before.begin() + 34));  // payload
}

TEST(NatRewrite, FirstFragmentUpdatesTheDatagramChecksum) {
  // The UDP checksum of a first fragment covers the whole datagram; an incremental update keeps
  // it right without the other fragments. The whole datagram: first fragment + 16 more 'A's.
  Bytes frame = bytes_of(fx::kFragmentFirst);
  ParsedPacket p = parse(frame);
  ASSERT_TRUE(rewrite_ipv4_destination(span_of(frame), p, ip4("10.0.0.5")));
  ASSERT_TRUE(rewrite_destination_port(span_of(frame), p, 7000));
  Bytes whole(frame.begin(), frame.begin() + 34 + 8 + 16);
  whole.insert(whole.end(), 24, 'A');
  store_be16(whole.data() + 16, 20 + 48);
  store_be16(whole.data() + 20, 0);  // no longer a fragment
  ParsedPacket pw = parse(whole);
  ASSERT_TRUE(pw.ok());
  EXPECT_EQ(verify_l4_checksum(cspan_of(whole), pw), ChecksumCheck::good);
}

TEST(NatRewrite, QuotedPacketChangesPortsAndIpHeaderOnly) {
  Bytes syn = bytes_of(fx::kTcpSyn);
  Bytes quote(syn.begin() + 14, syn.begin() + 14 + 28);
  ParsedPacket p = parse_quoted_packet(cspan_of(quote));
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(rewrite_ipv4_destination(span_of(quote), p, ip4("10.0.0.5")));
  ASSERT_TRUE(rewrite_destination_port(span_of(quote), p, 8080));
  EXPECT_EQ(load_be16(quote.data() + 22), 8080);
  EXPECT_TRUE(ipv4_header_checksum_ok(cspan_of(quote), p));
  EXPECT_TRUE(std::equal(quote.begin() + 24, quote.end(), syn.begin() + 14 + 24));  // seq untouched
}

TEST(NatRewrite, RefusesPacketsWithoutTheLayer) {
  Bytes arp = bytes_of(fx::kArpRequest);
  ParsedPacket p = parse(arp);
  const Bytes before = arp;
  EXPECT_FALSE(rewrite_ipv4_source(span_of(arp), p, 1));
  EXPECT_FALSE(rewrite_ipv6_source(span_of(arp), p, ip6("::1")));
  EXPECT_FALSE(rewrite_source_port(span_of(arp), p, 1));
  EXPECT_EQ(arp, before);
  Bytes v6 = bytes_of(fx::kUdp6Chain);
  EXPECT_FALSE(rewrite_ipv4_destination(span_of(v6), parse(v6), 1));
}

// A random TCP, UDP or ICMPv6 packet over IPv4 or IPv6 with correct checksums.
Bytes random_packet(SplitMix64& rng, bool partial = false) {
  const bool v6 = rng.below(2) == 1;
  const int kind = static_cast<int>(rng.below(v6 ? 3 : 2));
  const uint8_t protocol = kind == 0 ? ipproto::tcp : kind == 1 ? ipproto::udp : ipproto::icmpv6;
  const size_t l4_header = protocol == ipproto::tcp ? 20 : 8;
  const size_t payload = rng.below(300);
  Bytes frame(14 + (v6 ? 40 : 20) + l4_header + payload);
  for (auto& b : frame) b = static_cast<uint8_t>(rng.next());
  write_ethernet_header(span_of(frame), MacAddress{{2, 0, 0, 0, 0, 2}},
                        MacAddress{{2, 0, 0, 0, 0, 1}}, v6 ? ethertype::ipv6 : ethertype::ipv4);
  const uint16_t l4_length = static_cast<uint16_t>(l4_header + payload);
  auto l3 = span_of(frame).subspan(14);
  if (v6) {
    Ipv6Fields f;
    for (auto& b : f.source) b = static_cast<uint8_t>(rng.next());
    for (auto& b : f.destination) b = static_cast<uint8_t>(rng.next());
    f.next_header = protocol;
    f.payload_length = l4_length;
    write_ipv6_header(l3, f);
  } else {
    Ipv4Fields f;
    f.source = static_cast<uint32_t>(rng.next());
    f.destination = static_cast<uint32_t>(rng.next());
    f.protocol = protocol;
    f.id = static_cast<uint16_t>(rng.next());
    f.payload_length = l4_length;
    write_ipv4_header(l3, f);
  }
  uint8_t* l4 = frame.data() + 14 + (v6 ? 40 : 20);
  if (protocol == ipproto::tcp) l4[12] = 0x50;
  if (protocol == ipproto::udp) store_be16(l4 + 4, l4_length);
  ParsedPacket p = parse(frame);
  EXPECT_TRUE(p.ok()) << to_string(p.status);
  if (partial) {
    const size_t field = protocol == ipproto::tcp ? 16 : 6;
    const uint8_t* ip = frame.data() + 14;
    store_be16(l4 + field, v6 ? pseudo_header_sum_v6(ip + 8, ip + 24, l4_length, protocol)
                              : pseudo_header_sum_v4(load_be32(ip + 12), load_be32(ip + 16),
                                                     protocol, l4_length));
  } else {
    EXPECT_TRUE(fill_l4_checksum(span_of(frame), p));
  }
  return frame;
}

void random_rewrite(SplitMix64& rng, Bytes& frame, const ParsedPacket& p, L4ChecksumForm form) {
  const bool has_ports = p.l4_protocol != ipproto::icmpv6;
  switch (rng.below(has_ports ? 4 : 2)) {
    case 0:
    case 1: {
      const bool source = rng.below(2) == 0;
      if (p.l3 == Layer3::ipv4) {
        const auto address = static_cast<uint32_t>(rng.next());
        ASSERT_TRUE(source ? rewrite_ipv4_source(span_of(frame), p, address, form)
                           : rewrite_ipv4_destination(span_of(frame), p, address, form));
      } else {
        Ipv6Bytes address;
        for (auto& b : address) b = static_cast<uint8_t>(rng.next());
        ASSERT_TRUE(source ? rewrite_ipv6_source(span_of(frame), p, address, form)
                           : rewrite_ipv6_destination(span_of(frame), p, address, form));
      }
      break;
    }
    case 2:
      ASSERT_TRUE(rewrite_source_port(span_of(frame), p, static_cast<uint16_t>(rng.next()), form));
      break;
    default:
      ASSERT_TRUE(
          rewrite_destination_port(span_of(frame), p, static_cast<uint16_t>(rng.next()), form));
  }
}

TEST(NatRewriteProperty, IncrementalEqualsFullRecomputation) {
  SplitMix64 rng(1624);
  for (int round = 0; round < 3000; ++round) {
    Bytes frame = random_packet(rng);
    ParsedPacket p = parse(frame);
    const int changes = 1 + static_cast<int>(rng.below(4));
    for (int i = 0; i < changes; ++i) random_rewrite(rng, frame, p, L4ChecksumForm::complete);
    ParsedPacket after = parse(frame);
    ASSERT_TRUE(after.ok());
    const size_t field = p.l4_offset + (p.l4_protocol == ipproto::tcp   ? 16
                                        : p.l4_protocol == ipproto::udp ? 6
                                                                        : 2);
    const uint16_t incremental = load_be16(frame.data() + field);
    ASSERT_EQ(incremental, *compute_l4_checksum(cspan_of(frame), after))
        << "round " << round << " protocol " << int{p.l4_protocol};
    if (p.l3 == Layer3::ipv4) {
      auto ip = ipv4_header(cspan_of(frame), after);
      ASSERT_EQ(ip->checksum(), ip->computed_checksum()) << "round " << round;
    }
  }
}

TEST(NatRewriteProperty, PartialFormStaysAPseudoHeaderSeed) {
  // A CHECKSUM_PARTIAL packet rewritten in partial form and finished afterwards carries the same
  // checksum as the complete packet rewritten the same way.
  SplitMix64 rng(3);
  for (int round = 0; round < 2000; ++round) {
    Bytes frame = random_packet(rng, /*partial=*/true);
    ParsedPacket p = parse(frame);
    if (p.l4_protocol == ipproto::icmpv6) continue;  // never offloaded
    const int changes = 1 + static_cast<int>(rng.below(4));
    for (int i = 0; i < changes; ++i) random_rewrite(rng, frame, p, L4ChecksumForm::partial);
    Bytes finished = frame;
    ASSERT_TRUE(finish_partial_l4_checksum(span_of(finished), p));
    Bytes reference = frame;
    ASSERT_TRUE(fill_l4_checksum(span_of(reference), p));
    ASSERT_EQ(finished, reference) << "round " << round;
  }
}

}  // namespace
}  // namespace vsd::packet

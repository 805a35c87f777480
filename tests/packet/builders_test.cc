// Behaviour matched: net/netfilter/ipvs/ip_vs_xmit.c (ip_vs_prepare_tunneled_skb,
// ip_vs_tunnel_xmit[_v6]: outer TOS/TTL/DF from the inner packet, protocol 4 or 41),
// net/ipv4/icmp.c (icmp_send: quote up to a 576-byte datagram, TOS with internetwork-control
// precedence, no error about an ICMP error, a non-first fragment or a broadcast),
// net/ipv6/icmp.c (icmp6_send: up to 1280 bytes, packet-too-big allowed to multicast),
// keepalived/vrrp/vrrp_arp.c (gratuitous ARP: broadcast request, target MAC ff:ff:ff:ff:ff:ff).
#include <gtest/gtest.h>

#include "packet/arp.h"
#include "packet/arp_builder.h"
#include "packet/byte_order.h"
#include "packet/ethernet.h"
#include "packet/fixtures.h"
#include "packet/frame_bytes.h"
#include "packet/header_writers.h"
#include "packet/icmp.h"
#include "packet/icmp_error.h"
#include "packet/ipv4.h"
#include "packet/l4_checksum.h"
#include "packet/l4_ports.h"
#include "packet/numbers.h"
#include "packet/tunnel_header.h"

namespace vsd::packet {
namespace {

using namespace testing;
namespace fx = fixtures;

const MacAddress kDirector{{0x02, 0, 0, 0, 0, 0x01}};
const MacAddress kRouter{{0x02, 0, 0, 0, 0, 0x02}};

TEST(HeaderWriters, EthernetWithAndWithoutVlan) {
  Bytes out(18);
  EXPECT_EQ(write_ethernet_header(span_of(out), kRouter, kDirector, ethertype::ipv4), 14u);
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 14, std::begin(fx::kTcpSyn)));
  EXPECT_EQ(write_ethernet_header(span_of(out), kRouter, kDirector, ethertype::ipv4, 0xa064), 18u);
  EXPECT_TRUE(std::equal(out.begin(), out.end(), std::begin(fx::kUdpVlanOptions)));
  Bytes small(17);
  EXPECT_EQ(write_ethernet_header(span_of(small), kRouter, kDirector, ethertype::ipv4, 1), 0u);
}

TEST(HeaderWriters, Ipv4HeaderEqualsScapys) {
  // The IPv4 header of the TCP SYN fixture, rebuilt field by field.
  Ipv4Fields f;
  f.source = ip4("192.0.2.1");
  f.destination = ip4("198.51.100.10");
  f.protocol = ipproto::tcp;
  f.id = 0x1c46;
  f.dont_fragment = true;
  f.payload_length = 32;
  Bytes out(20);
  ASSERT_EQ(write_ipv4_header(span_of(out), f), 20u);
  EXPECT_TRUE(std::equal(out.begin(), out.end(), std::begin(fx::kTcpSyn) + 14));
  f.payload_length = 65535 - 19;
  EXPECT_EQ(write_ipv4_header(span_of(out), f), 0u);
  Bytes small(19);
  EXPECT_EQ(write_ipv4_header(span_of(small), Ipv4Fields{}), 0u);
}

TEST(HeaderWriters, Ipv6HeaderEqualsScapys) {
  Ipv6Fields f;
  f.source = ip6("2001:db8::1");
  f.destination = ip6("2001:db8::2");
  f.next_header = ipproto::hop_by_hop;
  f.traffic_class = 0x28;
  f.flow_label = 0x12345;
  f.payload_length = 0x3b;
  Bytes out(40);
  ASSERT_EQ(write_ipv6_header(span_of(out), f), 40u);
  EXPECT_TRUE(std::equal(out.begin(), out.end(), std::begin(fx::kUdp6Chain) + 14));
  f.flow_label = 0x100000;
  EXPECT_EQ(write_ipv6_header(span_of(out), f), 0u);
}

// outer header + inner IP packet, as the tunnel method sends it (without the link header).
Bytes encapsulate(const Bytes& frame, bool outer_v6) {
  ParsedPacket inner = parse(frame);
  Bytes out(40);
  size_t n = outer_v6 ? write_ip6_tunnel_header(span_of(out), cspan_of(frame), inner,
                                                ip6("2001:db8:1::1"), ip6("2001:db8:2::2"))
                      : write_ipip_header(span_of(out), cspan_of(frame), inner, ip4("10.0.0.1"),
                                          ip4("10.0.0.2"), 77);
  out.resize(n);
  out.insert(out.end(), frame.begin() + inner.l3_offset, frame.begin() + inner.l3_end());
  return out;
}

TEST(TunnelHeader, Ipv4InIpv4CopiesTosTtlAndDf) {
  Bytes frame = bytes_of(fx::kTcpSyn);
  ParsedPacket p = parse(frame);
  auto ip = *ipv4_header(span_of(frame), p);
  ip.set_tos(0xb8);  // EF
  ip.set_ttl(33);
  ip.update_checksum();
  Bytes packet = encapsulate(frame, false);
  ParsedPacket outer = parse_ip_packet(cspan_of(packet));
  ASSERT_TRUE(outer.ok());
  auto o = ipv4_header(cspan_of(packet), outer);
  EXPECT_EQ(o->protocol(), ipproto::ipip);
  EXPECT_EQ(o->tos(), 0xb8);
  EXPECT_EQ(o->ttl(), 33);
  EXPECT_TRUE(o->dont_fragment());
  EXPECT_EQ(o->id(), 77);
  EXPECT_EQ(o->total_length(), 20 + 52);
  EXPECT_EQ(o->source(), ip4("10.0.0.1"));
  EXPECT_EQ(o->destination(), ip4("10.0.0.2"));
  EXPECT_TRUE(o->checksum_ok());
  ParsedPacket in = parse_ip_packet(cspan_of(packet).subspan(outer.l4_offset));
  EXPECT_TRUE(in.ok());
  EXPECT_EQ(in.l4_protocol, ipproto::tcp);
}

TEST(TunnelHeader, Ipv6InIpv4AndIpv4InIpv6) {
  Bytes v6 = bytes_of(fx::kUdp6Chain);
  Bytes six_in_four = encapsulate(v6, false);
  ParsedPacket outer = parse_ip_packet(cspan_of(six_in_four));
  ASSERT_TRUE(outer.ok());
  auto o = ipv4_header(cspan_of(six_in_four), outer);
  EXPECT_EQ(o->protocol(), ipproto::ipv6);
  EXPECT_EQ(o->tos(), 0x28);
  EXPECT_EQ(o->ttl(), 64);
  EXPECT_FALSE(o->dont_fragment());

  Bytes v4 = bytes_of(fx::kIcmpEcho);
  Bytes four_in_six = encapsulate(v4, true);
  ParsedPacket outer6 = parse_ip_packet(cspan_of(four_in_six));
  ASSERT_TRUE(outer6.ok());
  auto o6 = ipv6_header(cspan_of(four_in_six), outer6);
  EXPECT_EQ(o6->next_header(), ipproto::ipip);
  EXPECT_EQ(o6->hop_limit(), 64);
  EXPECT_EQ(o6->payload_length(), 42);
  EXPECT_EQ(outer6.l4_protocol, ipproto::ipip);
  EXPECT_EQ(outer6.l4_length, 42u);
}

TEST(TunnelHeader, RefusesWhatIsNotIp) {
  Bytes arp = bytes_of(fx::kArpRequest);
  Bytes out(40);
  EXPECT_EQ(write_ipip_header(span_of(out), cspan_of(arp), parse(arp), 1, 2, 0), 0u);
}

TEST(IcmpError, FragmentationNeededQuotesTheWholeSmallPacket) {
  Bytes frame = bytes_of(fx::kTcpSyn);
  frame[15] = 0xb9;  // TOS bits 0x18 + ECN 1: only the TOS bits survive
  ParsedPacket p = parse(frame);
  ASSERT_TRUE(icmp_error_allowed(cspan_of(frame), p, icmp_type::destination_unreachable));
  Bytes out(1500);
  const size_t n = build_icmpv4_error(span_of(out), cspan_of(frame), p,
                                      fragmentation_needed(ip4("198.51.100.1"), 1400));
  ASSERT_EQ(n, 20u + 8 + 52);
  out.resize(n);
  ParsedPacket e = parse_ip_packet(cspan_of(out));
  ASSERT_TRUE(e.ok());
  auto ip = ipv4_header(cspan_of(out), e);
  EXPECT_EQ(ip->source(), ip4("198.51.100.1"));
  EXPECT_EQ(ip->destination(), ip4("192.0.2.1"));
  EXPECT_EQ(ip->tos(), 0xc0 | 0x18);
  EXPECT_TRUE(ip->checksum_ok());
  auto icmp = icmp_header(cspan_of(out), e);
  EXPECT_EQ(icmp->type(), icmp_type::destination_unreachable);
  EXPECT_EQ(icmp->code(), icmp_code::fragmentation_needed);
  EXPECT_EQ(icmp->next_hop_mtu(), 1400);
  EXPECT_EQ(verify_l4_checksum(cspan_of(out), e), ChecksumCheck::good);
  EXPECT_TRUE(std::equal(out.begin() + 28, out.end(), frame.begin() + 14));
  // What the client's stack (or IPVS relaying it) finds in the quote.
  ParsedPacket quoted = parse_quoted_packet(cspan_of(out).subspan(28));
  ASSERT_TRUE(quoted.ok());
  auto ports = l4_ports(cspan_of(out).subspan(28), quoted);
  EXPECT_EQ(ports->source(), 40000);
  EXPECT_EQ(ports->destination(), 80);
}

Bytes big_udp_v4(size_t payload) {
  Bytes frame(14 + 20 + 8 + payload, 0x5a);
  write_ethernet_header(span_of(frame), kRouter, kDirector, ethertype::ipv4);
  Ipv4Fields f;
  f.source = ip4("192.0.2.1");
  f.destination = ip4("198.51.100.10");
  f.protocol = ipproto::udp;
  f.dont_fragment = true;
  f.payload_length = static_cast<uint16_t>(8 + payload);
  write_ipv4_header(span_of(frame).subspan(14), f);
  store_be16(frame.data() + 34 + 4, static_cast<uint16_t>(8 + payload));
  return frame;
}

TEST(IcmpError, Ipv4QuoteStopsAt576Bytes) {
  Bytes frame = big_udp_v4(1472);
  ParsedPacket p = parse(frame);
  ASSERT_TRUE(p.ok());
  Bytes out(2000);
  const size_t n =
      build_icmpv4_error(span_of(out), cspan_of(frame), p, time_exceeded(ip4("198.51.100.1")));
  ASSERT_EQ(n, kIcmpErrorMaxIpv4);
  out.resize(n);
  ParsedPacket e = parse_ip_packet(cspan_of(out));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(icmp_header(cspan_of(out), e)->type(), icmp_type::time_exceeded);
  EXPECT_EQ(verify_l4_checksum(cspan_of(out), e), ChecksumCheck::good);
  EXPECT_TRUE(std::equal(out.begin() + 28, out.end(), frame.begin() + 14));
}

TEST(IcmpError, ASmallBufferLimitsTheQuoteButNotBelowHeaderPlusEight) {
  Bytes frame = big_udp_v4(100);
  ParsedPacket p = parse(frame);
  Bytes out(20 + 8 + 20 + 8);
  EXPECT_EQ(build_icmpv4_error(span_of(out), cspan_of(frame), p,
                               destination_unreachable(1, icmp_code::port_unreachable)),
            out.size());
  Bytes too_small(20 + 8 + 20 + 7);
  EXPECT_EQ(build_icmpv4_error(span_of(too_small), cspan_of(frame), p,
                               destination_unreachable(1, icmp_code::port_unreachable)),
            0u);
}

TEST(IcmpError, PacketTooBigQuotesUpTo1280Bytes) {
  Bytes frame(14 + 40 + 8 + 1452, 0x33);
  write_ethernet_header(span_of(frame), kRouter, kDirector, ethertype::ipv6);
  Ipv6Fields f;
  f.source = ip6("2001:db8::1");
  f.destination = ip6("2001:db8::2");
  f.next_header = ipproto::udp;
  f.payload_length = 8 + 1452;
  write_ipv6_header(span_of(frame).subspan(14), f);
  store_be16(frame.data() + 54 + 4, 8 + 1452);
  ParsedPacket p = parse(frame);
  ASSERT_TRUE(p.ok());
  Bytes out(2000);
  const size_t n = build_icmpv6_error(span_of(out), cspan_of(frame), p,
                                      packet_too_big(ip6("2001:db8::fe"), 1400));
  ASSERT_EQ(n, kIcmpErrorMaxIpv6);
  out.resize(n);
  ParsedPacket e = parse_ip_packet(cspan_of(out));
  ASSERT_TRUE(e.ok());
  auto ip = ipv6_header(cspan_of(out), e);
  EXPECT_EQ(ip->destination(), ip6("2001:db8::1"));
  EXPECT_EQ(ip->source(), ip6("2001:db8::fe"));
  auto icmp = icmp_header(cspan_of(out), e);
  EXPECT_EQ(icmp->type(), icmpv6_type::packet_too_big);
  EXPECT_EQ(icmp->packet_too_big_mtu(), 1400u);
  EXPECT_EQ(verify_l4_checksum(cspan_of(out), e), ChecksumCheck::good);
  EXPECT_TRUE(std::equal(out.begin() + 48, out.end(), frame.begin() + 14));
}

TEST(IcmpError, TimeExceededV6QuotesASmallPacketWhole) {
  Bytes frame = bytes_of(fx::kUdp6Chain);
  ParsedPacket p = parse(frame);
  Bytes out(1280);
  const size_t n =
      build_icmpv6_error(span_of(out), cspan_of(frame), p, time_exceeded_v6(ip6("2001:db8::fe")));
  ASSERT_EQ(n, 40u + 8 + 40 + 59);
  out.resize(n);
  ParsedPacket e = parse_ip_packet(cspan_of(out));
  EXPECT_EQ(verify_l4_checksum(cspan_of(out), e), ChecksumCheck::good);
}

TEST(IcmpError, NotAboutErrorsFragmentsOrBroadcasts) {
  Bytes syn = bytes_of(fx::kTcpSyn);
  EXPECT_TRUE(icmp_error_allowed(cspan_of(syn), parse(syn), icmp_type::time_exceeded));
  Bytes echo = bytes_of(fx::kIcmpEcho);
  EXPECT_TRUE(icmp_error_allowed(cspan_of(echo), parse(echo), icmp_type::time_exceeded));

  // An ICMP error about the SYN is itself never answered with an error.
  Bytes error(14 + 576);
  write_ethernet_header(span_of(error), kRouter, kDirector, ethertype::ipv4);
  ParsedPacket ps = parse(syn);
  const size_t n = build_icmpv4_error(span_of(error).subspan(14), cspan_of(syn), ps,
                                      time_exceeded(ip4("198.51.100.1")));
  error.resize(14 + n);
  EXPECT_FALSE(icmp_error_allowed(cspan_of(error), parse(error), icmp_type::time_exceeded));

  Bytes second = bytes_of(fx::kFragmentSecond);
  EXPECT_FALSE(icmp_error_allowed(cspan_of(second), parse(second), icmp_type::time_exceeded));
  Bytes first = bytes_of(fx::kFragmentFirst);
  EXPECT_TRUE(icmp_error_allowed(cspan_of(first), parse(first), icmp_type::time_exceeded));

  Bytes broadcast = bytes_of(fx::kTcpSyn);
  store_be32(broadcast.data() + 30, 0xffffffff);
  EXPECT_FALSE(icmp_error_allowed(cspan_of(broadcast), parse(broadcast), icmp_type::time_exceeded));
  Bytes multicast_mac = bytes_of(fx::kTcpSyn);
  multicast_mac[0] = 0x01;
  EXPECT_FALSE(
      icmp_error_allowed(cspan_of(multicast_mac), parse(multicast_mac), icmp_type::time_exceeded));
  Bytes from_nowhere = bytes_of(fx::kTcpSyn);
  store_be32(from_nowhere.data() + 26, 0);
  EXPECT_FALSE(
      icmp_error_allowed(cspan_of(from_nowhere), parse(from_nowhere), icmp_type::time_exceeded));

  Bytes v6_multicast = bytes_of(fx::kIcmp6Echo);
  v6_multicast[38] = 0xff;  // destination ff01:db8::2
  ParsedPacket pm = parse(v6_multicast);
  EXPECT_FALSE(icmp_error_allowed(cspan_of(v6_multicast), pm, icmpv6_type::time_exceeded));
  EXPECT_TRUE(icmp_error_allowed(cspan_of(v6_multicast), pm, icmpv6_type::packet_too_big));
}

TEST(ArpBuilder, RequestEqualsScapys) {
  Bytes out(64);
  const size_t n = build_arp_frame(
      span_of(out), MacAddress::broadcast(),
      {arp_op::request, kDirector, ip4("192.0.2.1"), MacAddress{}, ip4("192.0.2.254")});
  ASSERT_EQ(n, 42u);
  out.resize(n);
  EXPECT_EQ(out, bytes_of(fx::kArpRequest));
}

TEST(ArpBuilder, GratuitousArpAsKeepalivedSendsIt) {
  Bytes out(46);
  ASSERT_EQ(build_gratuitous_arp(span_of(out), kDirector, ip4("192.0.2.100"), 0x0064), 46u);
  ParsedPacket p = parse(out);
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p.has_vlan);
  EXPECT_EQ(ethernet_header(cspan_of(out), p)->destination(), MacAddress::broadcast());
  auto arp = arp_packet(cspan_of(out), p);
  EXPECT_EQ(arp->operation(), arp_op::request);
  EXPECT_TRUE(arp->is_gratuitous());
  EXPECT_EQ(arp->sender_ip(), ip4("192.0.2.100"));
  EXPECT_EQ(arp->sender_mac(), kDirector);
  EXPECT_EQ(arp->target_mac(), MacAddress::broadcast());
  Bytes small(45);
  EXPECT_EQ(build_gratuitous_arp(span_of(small), kDirector, 1, 0x0064), 0u);
}

}  // namespace
}  // namespace vsd::packet

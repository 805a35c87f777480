// Behaviour matched: net/ipv4/ip_input.c (ip_rcv_core: version, IHL, total length),
// net/ipv4/ip_options.c (ip_options_compile framing), net/ipv4/ip_fragment.c (offset + length <=
// 65535), net/ipv6/exthdrs_core.c (ipv6_ext_hdr, ipv6_skip_exthdr), net/ipv6/exthdrs.c (hop-by-hop
// only first), net/ipv4/tcp_ipv4.c (doff check), net/ipv4/udp.c (UDP length),
// net/netfilter/ipvs/ip_vs_core.c (ip_vs_fill_iph_skb: the first fragment carries the ports).
#include <gtest/gtest.h>

#include "packet/arp.h"
#include "packet/ethernet.h"
#include "packet/fixtures.h"
#include "packet/frame_bytes.h"
#include "packet/icmp.h"
#include "packet/ipv4.h"
#include "packet/ipv4_options.h"
#include "packet/ipv6.h"
#include "packet/l4_ports.h"
#include "packet/numbers.h"
#include "packet/tcp.h"
#include "packet/udp.h"

namespace vsd::packet {
namespace {

using namespace testing;
namespace fx = fixtures;

TEST(ParseFrame, TcpSynOverIpv4) {
  Bytes frame = bytes_of(fx::kTcpSyn);
  ParsedPacket p = parse(frame);
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.l3, Layer3::ipv4);
  EXPECT_FALSE(p.has_vlan);
  EXPECT_EQ(p.ethertype, ethertype::ipv4);
  EXPECT_EQ(p.l3_offset, 14u);
  EXPECT_EQ(p.l3_length, 52u);
  EXPECT_EQ(p.l3_header_length, 20u);
  EXPECT_EQ(p.l4_offset, 34u);
  EXPECT_EQ(p.l4_length, 32u);
  EXPECT_EQ(p.l4_header_length, 32u);  // 12 bytes of options
  EXPECT_EQ(p.l4_protocol, ipproto::tcp);
  EXPECT_FALSE(p.fragment.is_fragment());
  EXPECT_TRUE(p.fragment.dont_fragment);

  auto cframe = cspan_of(frame);
  auto eth = ethernet_header(cframe, p);
  ASSERT_TRUE(eth);
  EXPECT_EQ(eth->destination(), (MacAddress{{0x02, 0, 0, 0, 0, 0x02}}));
  EXPECT_EQ(eth->source(), (MacAddress{{0x02, 0, 0, 0, 0, 0x01}}));
  auto ip = ipv4_header(cframe, p);
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->source(), ip4("192.0.2.1"));
  EXPECT_EQ(ip->destination(), ip4("198.51.100.10"));
  EXPECT_EQ(ip->id(), 0x1c46);
  EXPECT_EQ(ip->ttl(), 64);
  EXPECT_EQ(ip->checksum(), fx::kTcpSynIpChecksum);
  auto tcp = tcp_header(cframe, p);
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->source_port(), 40000);
  EXPECT_EQ(tcp->destination_port(), 80);
  EXPECT_EQ(tcp->sequence(), 0x12345678u);
  EXPECT_TRUE(tcp->syn());
  EXPECT_FALSE(tcp->ack());
  EXPECT_EQ(tcp->window(), 64240);
  EXPECT_EQ(tcp->checksum(), fx::kTcpSynTcpChecksum);
  auto ports = l4_ports(cframe, p);
  ASSERT_TRUE(ports);
  EXPECT_EQ(ports->destination(), 80);
  // Views of other protocols are refused, not misread.
  EXPECT_FALSE(udp_header(cframe, p));
  EXPECT_FALSE(icmp_header(cframe, p));
  EXPECT_FALSE(ipv6_header(cframe, p));
  EXPECT_FALSE(arp_packet(cframe, p));
}

TEST(ParseFrame, VlanTagAndIpv4RecordRouteOption) {
  Bytes frame = bytes_of(fx::kUdpVlanOptions);
  ParsedPacket p = parse(frame);
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_TRUE(p.has_vlan);
  EXPECT_EQ(p.vlan_tci & 0x0fff, 100);
  EXPECT_EQ(p.vlan_tci >> 13, 5);  // priority
  EXPECT_EQ(p.ethertype, ethertype::ipv4);
  EXPECT_EQ(p.l3_offset, 18u);
  EXPECT_EQ(p.l3_header_length, 32u);
  EXPECT_EQ(p.ipv4_options_length, 12u);
  EXPECT_EQ(p.l4_offset, 50u);
  auto cframe = cspan_of(frame);
  auto ip = ipv4_header(cframe, p);
  ASSERT_TRUE(ip);
  auto rr = find_ipv4_option(ip->options(), ipv4_option::record_route);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->size(), 11u);  // type, length, pointer, two addresses
  EXPECT_FALSE(find_ipv4_option(ip->options(), ipv4_option::timestamp));
  auto udp = udp_header(cframe, p);
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->source_port(), 5353);
  EXPECT_EQ(udp->destination_port(), 53);
  EXPECT_EQ(udp->length(), 23);
}

TEST(ParseFrame, Ipv6ExtensionChainIsWalkedToUdp) {
  Bytes frame = bytes_of(fx::kUdp6Chain);
  ParsedPacket p = parse(frame);
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.l3, Layer3::ipv6);
  EXPECT_EQ(p.ipv6_extension_count, 3);
  EXPECT_EQ(p.l3_header_length, 40u + 8 + 24 + 8);
  EXPECT_EQ(p.l4_protocol, ipproto::udp);
  EXPECT_EQ(p.l4_offset, 14u + 80);
  EXPECT_EQ(p.l4_length, 19u);
  auto cframe = cspan_of(frame);
  auto ip = ipv6_header(cframe, p);
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->next_header(), ipproto::hop_by_hop);
  EXPECT_EQ(ip->traffic_class(), 0x28);
  EXPECT_EQ(ip->flow_label(), 0x12345u);
  EXPECT_EQ(ip->source(), ip6("2001:db8::1"));
  EXPECT_EQ(ip->destination(), ip6("2001:db8::2"));
  auto udp = udp_header(cframe, p);
  ASSERT_TRUE(udp);
  EXPECT_EQ(udp->source_port(), 1234);
  EXPECT_EQ(udp->destination_port(), 5678);
}

TEST(ParseFrame, IcmpAndIcmpv6Echo) {
  Bytes v4 = bytes_of(fx::kIcmpEcho);
  ParsedPacket p4 = parse(v4);
  ASSERT_EQ(p4.status, ParseStatus::ok);
  auto icmp = icmp_header(cspan_of(v4), p4);
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->type(), icmp_type::echo_request);
  EXPECT_EQ(icmp->echo_id(), 0x4242);
  EXPECT_EQ(icmp->echo_sequence(), 1);
  EXPECT_FALSE(l4_ports(cspan_of(v4), p4));

  Bytes v6 = bytes_of(fx::kIcmp6Echo);
  ParsedPacket p6 = parse(v6);
  ASSERT_EQ(p6.status, ParseStatus::ok);
  auto icmp6 = icmp_header(cspan_of(v6), p6);
  ASSERT_TRUE(icmp6);
  EXPECT_EQ(icmp6->type(), icmpv6_type::echo_request);
  EXPECT_EQ(icmp6->checksum(), fx::kIcmp6EchoChecksum);
}

TEST(ParseFrame, ArpRequest) {
  Bytes frame = bytes_of(fx::kArpRequest);
  ParsedPacket p = parse(frame);
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.l3, Layer3::arp);
  auto arp = arp_packet(cspan_of(frame), p);
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->operation(), arp_op::request);
  EXPECT_EQ(arp->sender_ip(), ip4("192.0.2.1"));
  EXPECT_EQ(arp->target_ip(), ip4("192.0.2.254"));
  EXPECT_EQ(arp->sender_mac(), (MacAddress{{0x02, 0, 0, 0, 0, 0x01}}));
  EXPECT_FALSE(arp->is_gratuitous());

  frame[14 + 1] = 0xdd;  // protocol type 0x08dd: not IPv4
  EXPECT_EQ(parse(frame).status, ParseStatus::unsupported_arp);
  frame.resize(14 + 27);
  EXPECT_EQ(parse(frame).status, ParseStatus::truncated_arp);
}

TEST(ParseFrame, UnknownEthertypeIsOkWithoutLayer3) {
  Bytes frame = bytes_of(fx::kTcpSyn);
  frame[12] = 0x88;
  frame[13] = 0xcc;  // LLDP
  ParsedPacket p = parse(frame);
  EXPECT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.l3, Layer3::none);
  EXPECT_EQ(p.ethertype, 0x88cc);
  EXPECT_FALSE(ipv4_header(cspan_of(frame), p));
}

TEST(ParseFrame, Ipv4Fragments) {
  Bytes first = bytes_of(fx::kFragmentFirst);
  ParsedPacket p1 = parse(first);
  ASSERT_EQ(p1.status, ParseStatus::ok);
  EXPECT_TRUE(p1.fragment.is_fragment());
  EXPECT_TRUE(p1.fragment.is_first());
  EXPECT_TRUE(p1.fragment.more_fragments);
  EXPECT_EQ(p1.fragment.id, 0xabcdu);
  ASSERT_TRUE(p1.l4_header_present);  // the first fragment carries the ports
  EXPECT_EQ(l4_ports(cspan_of(first), p1)->destination(), 6000);

  Bytes second = bytes_of(fx::kFragmentSecond);
  ParsedPacket p2 = parse(second);
  ASSERT_EQ(p2.status, ParseStatus::ok);
  EXPECT_TRUE(p2.fragment.is_fragment());
  EXPECT_FALSE(p2.fragment.is_first());
  EXPECT_FALSE(p2.fragment.more_fragments);
  EXPECT_EQ(p2.fragment.offset_bytes, 24);
  EXPECT_EQ(p2.fragment.id, 0xabcdu);
  EXPECT_EQ(p2.l4_protocol, ipproto::udp);
  EXPECT_FALSE(p2.l4_header_present);  // its bytes are payload, not a header
  EXPECT_FALSE(l4_ports(cspan_of(second), p2));
  EXPECT_FALSE(udp_header(cspan_of(second), p2));
}

TEST(ParseFrame, Ipv6Fragments) {
  Bytes first = bytes_of(fx::kIpv6FragmentFirst);
  ParsedPacket p1 = parse(first);
  ASSERT_EQ(p1.status, ParseStatus::ok);
  EXPECT_TRUE(p1.fragment.has_fragment_header);
  EXPECT_TRUE(p1.fragment.is_first());
  EXPECT_TRUE(p1.fragment.more_fragments);
  EXPECT_EQ(p1.fragment.id, 0xdeadbeefu);
  EXPECT_EQ(p1.l4_protocol, ipproto::udp);
  EXPECT_TRUE(p1.l4_header_present);

  Bytes second = bytes_of(fx::kIpv6FragmentSecond);
  ParsedPacket p2 = parse(second);
  ASSERT_EQ(p2.status, ParseStatus::ok);
  EXPECT_EQ(p2.fragment.offset_bytes, 48);
  EXPECT_FALSE(p2.fragment.more_fragments);
  EXPECT_EQ(p2.l4_protocol, ipproto::udp);
  EXPECT_EQ(p2.l4_offset, 14u + 48);
  EXPECT_FALSE(p2.l4_header_present);
}

TEST(ParseFrame, Ipv6AtomicFragmentIsNotAFragment) {
  Bytes frame = bytes_of(fx::kIpv6FragmentFirst);
  frame[54 + 3] = 0x00;  // offset 0, M clear (RFC 6946)
  frame[62 + 5] = 48;    // the UDP length now covers this packet alone
  ParsedPacket p = parse(frame);
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_TRUE(p.fragment.has_fragment_header);
  EXPECT_FALSE(p.fragment.is_fragment());
}

TEST(ParseFrame, EveryTruncationIsReportedAsTruncation) {
  const Bytes fixtures_list[] = {bytes_of(fx::kTcpSyn),        bytes_of(fx::kUdpVlanOptions),
                                 bytes_of(fx::kUdp6Chain),     bytes_of(fx::kIcmpEcho),
                                 bytes_of(fx::kIcmp6Echo),     bytes_of(fx::kArpRequest),
                                 bytes_of(fx::kFragmentFirst), bytes_of(fx::kIpv6FragmentFirst)};
  for (const Bytes& whole : fixtures_list) {
    ASSERT_EQ(parse(whole).status, ParseStatus::ok);
    for (size_t length = 0; length < whole.size(); ++length) {
      // A heap copy of exactly `length` bytes: any read past it trips AddressSanitizer.
      Bytes cut(whole.begin(), whole.begin() + static_cast<ptrdiff_t>(length));
      cut.shrink_to_fit();
      ParsedPacket p = parse(cut);
      EXPECT_TRUE(is_truncation(p.status)) << "length " << length << ": " << to_string(p.status);
    }
  }
}

TEST(ParseFrame, TcpIpv4TruncationPointsByLayer) {
  Bytes whole = bytes_of(fx::kTcpSyn);
  auto status_at = [&](size_t length) {
    Bytes cut(whole.begin(), whole.begin() + static_cast<ptrdiff_t>(length));
    return parse(cut).status;
  };
  EXPECT_EQ(status_at(0), ParseStatus::truncated_ethernet);
  EXPECT_EQ(status_at(13), ParseStatus::truncated_ethernet);
  EXPECT_EQ(status_at(14), ParseStatus::truncated_ip_header);
  EXPECT_EQ(status_at(33), ParseStatus::truncated_ip_header);
  EXPECT_EQ(status_at(34), ParseStatus::truncated_ip_payload);
  EXPECT_EQ(status_at(65), ParseStatus::truncated_ip_payload);
  // The IP length agreeing with a short frame moves the truncation down to TCP.
  Bytes short_ip(whole.begin(), whole.begin() + 14 + 20 + 10);
  short_ip[16] = 0;
  short_ip[17] = 30;
  EXPECT_EQ(parse(short_ip).status, ParseStatus::truncated_l4);
}

TEST(ParseFrame, EthernetPaddingIsNotPartOfTheIpPacket) {
  Bytes frame = bytes_of(fx::kIcmpEcho);
  frame.resize(64, 0);  // minimum frame plus padding
  ParsedPacket p = parse(frame);
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.l3_length, 42u);
  EXPECT_EQ(p.l3_end(), 56u);
}

TEST(ParseFrame, MalformedIpv4Headers) {
  const Bytes base = bytes_of(fx::kTcpSyn);
  auto with = [&](size_t at, uint8_t value) {
    Bytes b = base;
    b[at] = value;
    return parse(b).status;
  };
  EXPECT_EQ(with(14, 0x65), ParseStatus::bad_ip_version);       // version 6 under ethertype IPv4
  EXPECT_EQ(with(14, 0x44), ParseStatus::bad_ihl);              // IHL 4
  EXPECT_EQ(with(14, 0x47), ParseStatus::bad_ipv4_options);     // IHL 7: "options" are TCP bytes
  EXPECT_EQ(with(14, 0x4f), ParseStatus::truncated_ip_header);  // IHL 15: 60 bytes, 52 present
  EXPECT_EQ(with(17, 19), ParseStatus::bad_ip_total_length);    // total length below the header
  EXPECT_EQ(with(17, 53), ParseStatus::truncated_ip_payload);
  EXPECT_EQ(with(34 + 12, 0x40), ParseStatus::bad_tcp_data_offset);  // 16 bytes
  EXPECT_EQ(with(34 + 12, 0x90), ParseStatus::bad_tcp_data_offset);  // 36 > 32 bytes of segment
  // Fragment offset 8184 * 8 + 32 bytes of payload > 65535.
  Bytes evil = base;
  evil[20] = 0x1f;
  evil[21] = 0xff;
  EXPECT_EQ(parse(evil).status, ParseStatus::bad_fragment);
}

TEST(ParseFrame, MalformedIpv4OptionFraming) {
  Bytes frame = bytes_of(fx::kUdpVlanOptions);
  const size_t options = 18 + 20;
  Bytes zero_length = frame;
  zero_length[options + 1] = 0;
  EXPECT_EQ(parse(zero_length).status, ParseStatus::bad_ipv4_options);
  Bytes too_long = frame;
  too_long[options + 1] = 13;  // 12 bytes of options
  EXPECT_EQ(parse(too_long).status, ParseStatus::bad_ipv4_options);
  Bytes nops = frame;
  for (size_t i = 0; i < 12; ++i) nops[options + i] = ipv4_option::no_operation;
  EXPECT_EQ(parse(nops).status, ParseStatus::ok);
}

TEST(ParseFrame, MalformedUdpLength) {
  Bytes frame = bytes_of(fx::kUdpVlanOptions);
  const size_t udp_length = 50 + 4;
  frame[udp_length + 1] = 7;
  EXPECT_EQ(parse(frame).status, ParseStatus::bad_udp_length);
  frame[udp_length + 1] = 24;  // one more than the IP payload
  EXPECT_EQ(parse(frame).status, ParseStatus::bad_udp_length);
  frame[udp_length + 1] = 8;  // shorter than the payload: trailing bytes are allowed
  EXPECT_EQ(parse(frame).status, ParseStatus::ok);
}

TEST(ParseFrame, MalformedIpv6Chains) {
  const Bytes base = bytes_of(fx::kUdp6Chain);
  const size_t hop_by_hop = 54, routing = 62, destination_options = 86;
  Bytes late_hbh = base;
  late_hbh[routing] = ipproto::hop_by_hop;  // routing header says hop-by-hop follows
  EXPECT_EQ(parse(late_hbh).status, ParseStatus::misplaced_hop_by_hop);
  Bytes long_ext = base;
  long_ext[destination_options + 1] = 4;  // 40 bytes, past the payload
  EXPECT_EQ(parse(long_ext).status, ParseStatus::truncated_extension_header);
  Bytes bad_version = base;
  bad_version[14] = 0x42;
  EXPECT_EQ(parse(bad_version).status, ParseStatus::bad_ip_version);
  Bytes long_payload = base;
  long_payload[14 + 5] = 0x3c;
  EXPECT_EQ(parse(long_payload).status, ParseStatus::truncated_ip_payload);
  (void)hop_by_hop;
}

TEST(ParseFrame, Ipv6EspEndsTheWalk) {
  Bytes frame = bytes_of(fx::kUdp6Chain);
  frame[86] = ipproto::esp;  // destination options now say ESP follows
  ParsedPacket p = parse(frame);
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.l4_protocol, ipproto::esp);
  EXPECT_EQ(p.l4_offset, 94u);
  EXPECT_FALSE(p.l4_header_present);
}

TEST(ParseFrame, Ipv6ChainLongerThanTheLimitIsRefused) {
  // IPv6 header + 17 destination-options headers of 8 bytes + 8 bytes of UDP.
  Bytes frame = bytes_of(fx::kIcmp6Echo);
  frame.resize(54);
  const unsigned headers = kMaxIpv6ExtensionHeaders + 1;
  frame[14 + 6] = ipproto::destination_options;
  for (unsigned i = 0; i < headers; ++i) {
    const uint8_t next = i + 1 == headers ? ipproto::udp : ipproto::destination_options;
    frame.insert(frame.end(), {next, 0, 1, 4, 0, 0, 0, 0});
  }
  frame.insert(frame.end(), {0x04, 0xd2, 0x16, 0x2e, 0x00, 0x08, 0x00, 0x00});
  const uint16_t payload = static_cast<uint16_t>(frame.size() - 54);
  frame[14 + 4] = static_cast<uint8_t>(payload >> 8);
  frame[14 + 5] = static_cast<uint8_t>(payload);
  EXPECT_EQ(parse(frame).status, ParseStatus::too_many_extension_headers);
  // One header fewer is fine.
  frame.erase(frame.begin() + 54, frame.begin() + 62);
  frame[14 + 5] = static_cast<uint8_t>(payload - 8);
  ParsedPacket p = parse(frame);
  EXPECT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.ipv6_extension_count, kMaxIpv6ExtensionHeaders);
}

TEST(ParseFrame, AuthenticationHeaderLengthIsInFourByteWords) {
  // IPv6 / AH (payload len 4 -> (4+2)*4 = 24 bytes) / UDP.
  Bytes frame = bytes_of(fx::kIcmp6Echo);
  frame.resize(54);
  frame[14 + 6] = ipproto::ah;
  Bytes ah(24, 0);
  ah[0] = ipproto::udp;
  ah[1] = 4;
  frame.insert(frame.end(), ah.begin(), ah.end());
  frame.insert(frame.end(), {0x04, 0xd2, 0x16, 0x2e, 0x00, 0x08, 0x00, 0x00});
  frame[14 + 5] = 32;
  ParsedPacket p = parse(frame);
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.l4_protocol, ipproto::udp);
  EXPECT_EQ(p.l4_offset, 54u + 24);
}

TEST(ParseIpPacket, BareIpPacketsAsATunDeviceDeliversThem) {
  Bytes frame = bytes_of(fx::kUdp6Chain);
  Bytes ip(frame.begin() + 14, frame.end());
  ParsedPacket p = parse_ip_packet(cspan_of(ip));
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_EQ(p.l3_offset, 0u);
  EXPECT_EQ(p.l4_offset, 80u);
  EXPECT_FALSE(ethernet_header(cspan_of(ip), p));
  EXPECT_EQ(parse_ip_packet({}).status, ParseStatus::truncated_ip_header);
  ip[0] = 0x55;
  EXPECT_EQ(parse_ip_packet(cspan_of(ip)).status, ParseStatus::bad_ip_version);
}

TEST(ParseQuotedPacket, IpHeaderAndEightBytesAreEnough) {
  Bytes frame = bytes_of(fx::kTcpSyn);
  Bytes quote(frame.begin() + 14, frame.begin() + 14 + 28);
  ParsedPacket p = parse_quoted_packet(cspan_of(quote));
  ASSERT_EQ(p.status, ParseStatus::ok);
  EXPECT_TRUE(p.quoted);
  EXPECT_EQ(p.l3_length, 28u);  // what was quoted, not the 52 the header announces
  auto ports = l4_ports(cspan_of(quote), p);
  ASSERT_TRUE(ports);
  EXPECT_EQ(ports->source(), 40000);
  EXPECT_EQ(ports->destination(), 80);
  EXPECT_FALSE(tcp_header(cspan_of(quote), p));  // the full TCP header was not quoted
  quote.pop_back();
  EXPECT_EQ(parse_quoted_packet(cspan_of(quote)).status, ParseStatus::truncated_l4);
  // The same bytes as a received packet are truncated.
  EXPECT_EQ(parse_ip_packet(cspan_of(quote)).status, ParseStatus::truncated_ip_payload);
}

TEST(ParseStatusNames, EveryStatusHasItsName) {
  EXPECT_EQ(to_string(ParseStatus::ok), "ok");
  EXPECT_EQ(to_string(ParseStatus::bad_udp_length), "bad_udp_length");
  EXPECT_EQ(to_string(ParseStatus::too_many_extension_headers), "too_many_extension_headers");
}

}  // namespace
}  // namespace vsd::packet

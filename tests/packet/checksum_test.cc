// Behaviour matched: RFC 1071 (the sum and its example), RFC 768 / RFC 8200 8.1 (UDP checksum 0),
// net/core/dev.c skb_checksum_help (finishing CHECKSUM_PARTIAL, 0 sent as 0xffff),
// net/ipv4/ip_input.c (header checksum check). Expected values come from scapy 2.5.0 or from the
// plain word-by-word sum below, never from the code under test.
#include "packet/checksum.h"

#include <gtest/gtest.h>

#include "common/random.h"
#include "packet/byte_order.h"
#include "packet/fixtures.h"
#include "packet/frame_bytes.h"
#include "packet/ipv4.h"
#include "packet/l4_checksum.h"
#include "packet/tcp.h"
#include "packet/udp.h"

namespace vsd::packet {
namespace {

using namespace testing;
namespace fx = fixtures;

// RFC 1071 as its section 4.1 writes it: 16-bit big-endian words, odd byte padded, carries folded.
uint16_t reference_sum(const uint8_t* p, size_t n) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n % 2 == 1) sum += static_cast<uint32_t>(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

TEST(InternetChecksum, Rfc1071Example) {
  // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to dd f2, so the checksum is 22 0d.
  const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum_accumulate(bytes), 0xddf2);
  EXPECT_EQ(internet_checksum(bytes), 0x220d);
}

TEST(InternetChecksum, OddLengthPadsTheLastByte) {
  const uint8_t bytes[] = {0x12, 0x34, 0x56};
  EXPECT_EQ(checksum_accumulate(bytes), 0x1234 + 0x5600);
}

TEST(InternetChecksum, MatchesThePlainSumAtEveryLengthAndAlignment) {
  SplitMix64 rng(1071);
  std::vector<uint8_t> buffer(2100);
  for (auto& b : buffer) b = static_cast<uint8_t>(rng.next());
  for (int round = 0; round < 3000; ++round) {
    const size_t start = rng.below(64);
    const size_t length = rng.below(buffer.size() - start);
    const uint8_t* p = buffer.data() + start;
    ASSERT_EQ(checksum_accumulate({p, length}), reference_sum(p, length))
        << "start " << start << " length " << length;
  }
  // All ones everywhere: the carries of the 64-bit chains must wrap around correctly.
  std::vector<uint8_t> ones(1500, 0xff);
  EXPECT_EQ(checksum_accumulate(ones), reference_sum(ones.data(), ones.size()));
}

TEST(InternetChecksum, PiecesAddUpWhenEachButTheLastIsEven) {
  const Bytes frame = bytes_of(fx::kTcpSyn);
  const uint8_t* p = frame.data();
  uint16_t whole = checksum_accumulate({p, frame.size()});
  uint16_t pieces = checksum_accumulate({p + 20, frame.size() - 20}, checksum_accumulate({p, 20}));
  EXPECT_EQ(whole, pieces);
}

TEST(Ipv4HeaderChecksum, ScapyFramesVerifyAndAFlippedBitDoesNot) {
  for (Bytes frame : {bytes_of(fx::kTcpSyn), bytes_of(fx::kUdpVlanOptions), bytes_of(fx::kIcmpEcho),
                      bytes_of(fx::kFragmentSecond)}) {
    ParsedPacket p = parse(frame);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(ipv4_header_checksum_ok(cspan_of(frame), p));
    frame[p.l3_offset + 8] ^= 0x01;  // TTL
    EXPECT_FALSE(ipv4_header_checksum_ok(cspan_of(frame), p));
  }
  Bytes frame = bytes_of(fx::kTcpSyn);
  ParsedPacket p = parse(frame);
  EXPECT_EQ(ipv4_header(cspan_of(frame), p)->computed_checksum(), fx::kTcpSynIpChecksum);
  Bytes options = bytes_of(fx::kUdpVlanOptions);  // 32-byte header: options are covered
  EXPECT_EQ(ipv4_header(cspan_of(options), parse(options))->computed_checksum(),
            fx::kUdpVlanOptionsIpChecksum);
}

struct L4Case {
  const char* name;
  Bytes frame;
  uint16_t expected;
};

TEST(L4Checksum, ComputesWhatScapyComputed) {
  const L4Case cases[] = {
      {"tcp/ipv4", bytes_of(fx::kTcpSyn), fx::kTcpSynTcpChecksum},
      {"udp/ipv4 with options and vlan", bytes_of(fx::kUdpVlanOptions),
       fx::kUdpVlanOptionsUdpChecksum},
      {"udp/ipv6 after an extension chain", bytes_of(fx::kUdp6Chain), fx::kUdp6ChainUdpChecksum},
      {"icmp", bytes_of(fx::kIcmpEcho), fx::kIcmpEchoIcmpChecksum},
      {"icmpv6", bytes_of(fx::kIcmp6Echo), fx::kIcmp6EchoChecksum},
  };
  for (const auto& c : cases) {
    ParsedPacket p = parse(c.frame);
    ASSERT_TRUE(p.ok()) << c.name;
    EXPECT_EQ(compute_l4_checksum(cspan_of(c.frame), p), c.expected) << c.name;
    EXPECT_EQ(verify_l4_checksum(cspan_of(c.frame), p), ChecksumCheck::good) << c.name;
    Bytes corrupted = c.frame;
    corrupted.back() ^= 0x40;
    EXPECT_EQ(verify_l4_checksum(cspan_of(corrupted), p), ChecksumCheck::bad) << c.name;
  }
}

TEST(L4Checksum, FillWritesTheChecksum) {
  Bytes frame = bytes_of(fx::kUdp6Chain);
  ParsedPacket p = parse(frame);
  store_be16(frame.data() + p.l4_offset + 6, 0x1111);
  ASSERT_TRUE(fill_l4_checksum(span_of(frame), p));
  EXPECT_EQ(udp_header(cspan_of(frame), p)->checksum(), fx::kUdp6ChainUdpChecksum);
}

TEST(L4Checksum, UdpZeroMeansNoneOverIpv4AndIsInvalidOverIpv6) {
  Bytes v4 = bytes_of(fx::kUdpVlanOptions);
  ParsedPacket p4 = parse(v4);
  store_be16(v4.data() + p4.l4_offset + 6, 0);
  EXPECT_EQ(verify_l4_checksum(cspan_of(v4), p4), ChecksumCheck::absent);
  Bytes v6 = bytes_of(fx::kUdp6Chain);
  ParsedPacket p6 = parse(v6);
  store_be16(v6.data() + p6.l4_offset + 6, 0);
  EXPECT_EQ(verify_l4_checksum(cspan_of(v6), p6), ChecksumCheck::bad);
}

TEST(L4Checksum, UdpSumOfZeroIsSentAsAllOnes) {
  // Choose the payload so that the UDP sum comes to 0xffff: the checksum ~0xffff = 0 must be
  // sent as 0xffff (RFC 768), and still verify.
  Bytes frame = bytes_of(fx::kUdpVlanOptions);
  ParsedPacket p = parse(frame);
  uint8_t* word = frame.data() + p.l4_offset + 8;  // the first two payload bytes
  store_be16(word, 0);
  // With the word at 0 the data sums to S0 and the checksum is ~S0; putting ~S0 in the word
  // makes the sum S0 + ~S0 = 0xffff.
  store_be16(word, *compute_l4_checksum(cspan_of(frame), p));
  EXPECT_EQ(compute_l4_checksum(cspan_of(frame), p), 0xffff);
  ASSERT_TRUE(fill_l4_checksum(span_of(frame), p));
  EXPECT_EQ(udp_header(cspan_of(frame), p)->checksum(), 0xffff);
  EXPECT_EQ(verify_l4_checksum(cspan_of(frame), p), ChecksumCheck::good);
}

TEST(L4Checksum, FragmentsAndQuotesCannotBeChecked) {
  for (Bytes frame : {bytes_of(fx::kFragmentFirst), bytes_of(fx::kFragmentSecond),
                      bytes_of(fx::kIpv6FragmentFirst)}) {
    ParsedPacket p = parse(frame);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(verify_l4_checksum(cspan_of(frame), p), ChecksumCheck::not_checkable);
    EXPECT_FALSE(compute_l4_checksum(cspan_of(frame), p));
  }
  Bytes syn = bytes_of(fx::kTcpSyn);
  Bytes quote(syn.begin() + 14, syn.begin() + 42);
  EXPECT_EQ(verify_l4_checksum(cspan_of(quote), parse_quoted_packet(cspan_of(quote))),
            ChecksumCheck::not_checkable);
}

// Lab-notes trap 3: a veth with tx-checksumming hands AF_PACKET frames whose TCP/UDP checksum
// field holds only the pseudo-header sum (what Linux leaves for CHECKSUM_PARTIAL).
Bytes as_partial(Bytes frame) {
  ParsedPacket p = parse(frame);
  auto ip = ipv4_header(cspan_of(frame), p);
  const size_t field = p.l4_offset + (p.l4_protocol == ipproto::tcp ? 16 : 6);
  store_be16(frame.data() + field,
             pseudo_header_sum_v4(ip->source(), ip->destination(), p.l4_protocol, p.l4_length));
  return frame;
}

TEST(PartialChecksum, FinishedFromTheParsedHeaderGivesTheFullChecksum) {
  Bytes frame = as_partial(bytes_of(fx::kTcpSyn));
  ParsedPacket p = parse(frame);
  EXPECT_EQ(verify_l4_checksum(cspan_of(frame), p), ChecksumCheck::bad);
  ASSERT_TRUE(finish_partial_l4_checksum(span_of(frame), p));
  EXPECT_EQ(tcp_header(cspan_of(frame), p)->checksum(), fx::kTcpSynTcpChecksum);
  EXPECT_EQ(frame, bytes_of(fx::kTcpSyn));
}

TEST(PartialChecksum, FinishedFromVnetOffsetsGivesTheFullChecksum) {
  Bytes frame = as_partial(bytes_of(fx::kUdpVlanOptions));
  frame.resize(frame.size() + 6, 0);  // link padding past the IP packet: not summed
  // virtio_net_hdr: csum_start = UDP header, csum_offset = 6, end = end of the IP packet.
  ASSERT_TRUE(finish_partial_checksum(span_of(frame), 50, 6, 18 + 55));
  EXPECT_EQ(load_be16(frame.data() + 56), fx::kUdpVlanOptionsUdpChecksum);
}

TEST(PartialChecksum, OffsetsOutsideThePacketAreRefused) {
  Bytes frame = bytes_of(fx::kTcpSyn);
  const Bytes before = frame;
  EXPECT_FALSE(finish_partial_checksum(span_of(frame), 34, 16, frame.size() + 1));
  EXPECT_FALSE(finish_partial_checksum(span_of(frame), 70, 0, frame.size()));
  EXPECT_FALSE(finish_partial_checksum(span_of(frame), 34, 31, frame.size()));  // field half out
  EXPECT_FALSE(finish_partial_checksum(span_of(frame), 34, ~size_t{0}, frame.size()));
  EXPECT_EQ(frame, before);
  Bytes icmp = bytes_of(fx::kIcmpEcho);
  EXPECT_FALSE(finish_partial_l4_checksum(span_of(icmp), parse(icmp)));
}

}  // namespace
}  // namespace vsd::packet

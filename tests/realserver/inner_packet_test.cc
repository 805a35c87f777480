// Matches what the kernel's tunnel receivers accept: net/ipv4/ipip.c (ipip_rcv, RFC 2003, outer
// header length from IHL, inner packet handed on as-is) and net/ipv6/ip6_tunnel.c (ip6ip6_rcv,
// payload after the outer header is the inner IPv6 packet). The packets are built here byte by
// byte; tests/e2e/realserver_test.py sends the same shapes through a real kernel with scapy.
#include "realserver/inner_packet.h"

#include <gtest/gtest.h>

#include <vector>

namespace vsd::realserver {
namespace {

std::vector<std::byte> ipv4_header(uint8_t protocol, std::array<uint8_t, 4> source,
                                   std::array<uint8_t, 4> destination, std::size_t payload,
                                   uint8_t ihl_words = 5) {
  const std::size_t total = ihl_words * 4u + payload;
  std::vector<std::byte> header(ihl_words * 4u, std::byte{0});
  header[0] = std::byte(0x40 | ihl_words);
  header[2] = std::byte(total >> 8);
  header[3] = std::byte(total & 0xff);
  header[8] = std::byte{64};
  header[9] = std::byte{protocol};
  for (std::size_t i = 0; i < 4; ++i) {
    header[12 + i] = std::byte{source[i]};
    header[16 + i] = std::byte{destination[i]};
  }
  return header;
}

std::vector<std::byte> concat(std::vector<std::byte> a, const std::vector<std::byte>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::byte> udp_payload(std::size_t size) {
  return std::vector<std::byte>(size, std::byte{0x5a});
}

const IpAddress kVip = *IpAddress::parse("203.0.113.10");

std::vector<std::byte> inner_for(std::array<uint8_t, 4> destination, std::size_t payload = 12) {
  return concat(ipv4_header(17, {198, 51, 100, 2}, destination, payload), udp_payload(payload));
}

std::vector<std::byte> ipip(const std::vector<std::byte>& inner, uint8_t outer_ihl = 5) {
  return concat(ipv4_header(4, {192, 0, 2, 1}, {192, 0, 2, 11}, inner.size(), outer_ihl), inner);
}

TEST(DecapsulateIpip, DeliversTheInnerPacketForTheVip) {
  const auto inner = inner_for({203, 0, 113, 10});
  const auto outer = ipip(inner);
  const auto result = decapsulate_ipip(outer, kVip);
  ASSERT_EQ(result.verdict, DecapVerdict::deliver);
  EXPECT_TRUE(std::equal(result.inner.begin(), result.inner.end(), inner.begin(), inner.end()));
}

TEST(DecapsulateIpip, OuterOptionsAreSkippedByIhl) {
  const auto inner = inner_for({203, 0, 113, 10});
  const auto outer = ipip(inner, 7);
  const auto result = decapsulate_ipip(outer, kVip);
  ASSERT_EQ(result.verdict, DecapVerdict::deliver);
  EXPECT_EQ(result.inner.size(), inner.size());
}

TEST(DecapsulateIpip, TrailingPaddingIsCutToTheInnerLength) {
  const auto inner = inner_for({203, 0, 113, 10});
  auto padded_inner = inner;
  padded_inner.resize(inner.size() + 6);  // the outer length covers padding the inner does not
  const auto outer = ipip(padded_inner);
  const auto result = decapsulate_ipip(outer, kVip);
  ASSERT_EQ(result.verdict, DecapVerdict::deliver);
  EXPECT_EQ(result.inner.size(), inner.size());
}

TEST(DecapsulateIpip, InnerForAnotherAddressIsRefused) {
  EXPECT_EQ(decapsulate_ipip(ipip(inner_for({203, 0, 113, 11})), kVip).verdict,
            DecapVerdict::not_for_vip);
}

TEST(DecapsulateIpip, EveryTruncationIsRefusedNeverRead) {
  const auto whole = ipip(inner_for({203, 0, 113, 10}));
  for (std::size_t cut = 0; cut < whole.size(); ++cut) {
    const auto result = decapsulate_ipip(std::span(whole).first(cut), kVip);
    EXPECT_NE(result.verdict, DecapVerdict::deliver) << "cut at " << cut;
  }
}

TEST(DecapsulateIpip, InnerLengthBeyondTheOuterIsTruncated) {
  auto inner = inner_for({203, 0, 113, 10});
  inner[3] = std::byte(std::to_integer<uint8_t>(inner[3]) + 1);
  EXPECT_EQ(decapsulate_ipip(ipip(inner), kVip).verdict, DecapVerdict::truncated_inner);
}

TEST(DecapsulateIpip, OtherOuterProtocolIsNotIpip) {
  const auto inner = inner_for({203, 0, 113, 10});
  auto gre = concat(ipv4_header(47, {192, 0, 2, 1}, {192, 0, 2, 11}, inner.size()), inner);
  EXPECT_EQ(decapsulate_ipip(gre, kVip).verdict, DecapVerdict::not_ipip);
}

TEST(DecapsulateIpip, Ipv6InsideIpv4IsAnotherFamily) {
  std::vector<std::byte> inner(48, std::byte{0});
  inner[0] = std::byte{0x60};
  inner[5] = std::byte{8};
  EXPECT_EQ(decapsulate_ipip(ipip(inner), kVip).verdict, DecapVerdict::wrong_inner_family);
}

std::vector<std::byte> ipv6_packet(const IpAddress& destination, std::size_t payload) {
  std::vector<std::byte> packet(40 + payload, std::byte{0x11});
  packet[0] = std::byte{0x60};
  packet[1] = packet[2] = packet[3] = std::byte{0};
  packet[4] = std::byte(payload >> 8);
  packet[5] = std::byte(payload & 0xff);
  packet[6] = std::byte{17};
  packet[7] = std::byte{64};
  for (std::size_t i = 0; i < 16; ++i) packet[24 + i] = std::byte{destination.bytes()[i]};
  return packet;
}

TEST(CheckIp6ip6Payload, DeliversTheInnerIpv6PacketForTheVip) {
  const auto vip6 = *IpAddress::parse("2001:db8:ff::10");
  const auto inner = ipv6_packet(vip6, 16);
  const auto result = check_ip6ip6_payload(inner, vip6);
  ASSERT_EQ(result.verdict, DecapVerdict::deliver);
  EXPECT_EQ(result.inner.size(), inner.size());
}

TEST(CheckIp6ip6Payload, RefusesOtherDestinationsAndShortPackets) {
  const auto vip6 = *IpAddress::parse("2001:db8:ff::10");
  const auto other = ipv6_packet(*IpAddress::parse("2001:db8:ff::11"), 16);
  EXPECT_EQ(check_ip6ip6_payload(other, vip6).verdict, DecapVerdict::not_for_vip);
  const auto inner = ipv6_packet(vip6, 16);
  EXPECT_EQ(check_ip6ip6_payload(std::span(inner).first(50), vip6).verdict,
            DecapVerdict::truncated_inner);
}

}  // namespace
}  // namespace vsd::realserver

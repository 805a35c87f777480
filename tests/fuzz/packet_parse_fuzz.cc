// libFuzzer target for the packet parser and everything that trusts its result: arbitrary bytes
// are parsed as an Ethernet frame, a bare IP packet and an ICMP quote; every view the parse result
// allows is read in full, and the writers that follow a parse (NAT rewrites, checksum finishing,
// ICMP errors, tunnel headers) run on a copy. AddressSanitizer catches any read or write outside
// the input; the invariants below catch a parse result that lies about the frame.
//   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang
//   -DVSD_FUZZ=ON -DVSD_BENCH=OFF cmake --build build-fuzz --target packet_parse_fuzz &&
//   build-fuzz/tests/fuzz/packet_parse_fuzz -max_total_time=60
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "packet/arp.h"
#include "packet/ethernet.h"
#include "packet/icmp.h"
#include "packet/icmp_error.h"
#include "packet/ipv4.h"
#include "packet/ipv6.h"
#include "packet/l4_checksum.h"
#include "packet/l4_ports.h"
#include "packet/nat_rewrite.h"
#include "packet/parse.h"
#include "packet/tcp.h"
#include "packet/tunnel_header.h"
#include "packet/udp.h"

namespace vsd::packet {
namespace {

uint64_t sink;  // fields are summed here so that no read is optimised away

void require(bool condition) {
  if (!condition) __builtin_trap();
}

void check_offsets(const ParsedPacket& p, size_t size) {
  require(p.frame_length == size);
  if (p.l3_header_present) require(size_t{p.l3_offset} + p.l3_header_length <= size);
  if (p.l4_header_present) {
    require(size_t{p.l4_offset} + p.l4_header_length <= size);
    require(p.fragment.is_first());
  }
  if (p.ok() && p.is_ip()) {
    require(p.l3_end() <= size);
    require(p.l4_offset + p.l4_length == p.l3_end());
  }
}

void touch(std::span<const uint8_t> bytes, const ParsedPacket& p) {
  check_offsets(p, bytes.size());
  uint64_t s = static_cast<uint64_t>(p.status) + p.fragment.id + p.fragment.offset_bytes;
  if (auto eth = ethernet_header(bytes, p)) {
    s += eth->destination().bytes[5] + eth->source().bytes[0] + eth->outer_type();
  }
  if (auto arp = arp_packet(bytes, p)) {
    s += arp->operation() + arp->sender_ip() + arp->target_ip() + arp->sender_mac().bytes[0] +
         arp->target_mac().bytes[5];
  }
  if (auto ip = ipv4_header(bytes, p)) {
    s += ip->version() + ip->header_length() + ip->tos() + ip->total_length() + ip->id() +
         ip->flags_and_offset() + ip->ttl() + ip->protocol() + ip->checksum() + ip->source() +
         ip->destination() + ip->options().size() + ip->computed_checksum();
  }
  if (auto ip = ipv6_header(bytes, p)) {
    s += ip->traffic_class() + ip->flow_label() + ip->payload_length() + ip->next_header() +
         ip->hop_limit() + ip->source()[15] + ip->destination()[0];
  }
  if (auto tcp = tcp_header(bytes, p)) {
    s += tcp->source_port() + tcp->destination_port() + tcp->sequence() + tcp->acknowledgment() +
         tcp->header_length() + tcp->flags() + tcp->window() + tcp->checksum() +
         tcp->urgent_pointer();
  }
  if (auto udp = udp_header(bytes, p)) {
    s += udp->source_port() + udp->destination_port() + udp->length() + udp->checksum();
  }
  if (auto icmp = icmp_header(bytes, p)) {
    s += icmp->type() + icmp->code() + icmp->checksum() + icmp->rest_of_header();
  }
  if (auto ports = l4_ports(bytes, p)) s += ports->source() + ports->destination();
  s += static_cast<uint64_t>(verify_l4_checksum(bytes, p));
  s += compute_l4_checksum(bytes, p).value_or(0);
  sink += s;
}

bool same_layout(const ParsedPacket& a, const ParsedPacket& b) {
  return a.status == b.status && a.l3_offset == b.l3_offset && a.l4_offset == b.l4_offset &&
         a.l3_length == b.l3_length && a.l4_length == b.l4_length &&
         a.l4_header_present == b.l4_header_present;
}

void write_after_parse(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> copy(bytes.begin(), bytes.end());
  std::span<uint8_t> frame(copy);
  const ParsedPacket p = parse_frame(frame);
  const Ipv6Bytes v6{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
  rewrite_ipv4_source(frame, p, 0x0a000001);
  rewrite_ipv4_destination(frame, p, 0x0a000002, L4ChecksumForm::partial);
  rewrite_ipv6_source(frame, p, v6);
  rewrite_ipv6_destination(frame, p, v6, L4ChecksumForm::partial);
  rewrite_source_port(frame, p, 1234);
  rewrite_destination_port(frame, p, 80, L4ChecksumForm::partial);
  // Addresses, ports and checksums do not move any header.
  require(same_layout(p, parse_frame(frame)));
  finish_partial_l4_checksum(frame, p);
  if (fill_l4_checksum(frame, p)) require(verify_l4_checksum(frame, p) == ChecksumCheck::good);

  std::array<uint8_t, kIcmpErrorMaxIpv6> out;
  sink += icmp_error_allowed(frame, p, icmp_type::time_exceeded);
  size_t n = build_icmpv4_error(out, frame, p, fragmentation_needed(0x0a000001, 1400));
  if (n == 0) n = build_icmpv6_error(out, frame, p, packet_too_big(v6, 1280));
  if (n != 0) {
    const std::span<const uint8_t> error(out.data(), n);
    const ParsedPacket e = parse_ip_packet(error);
    require(e.ok());
    require(verify_l4_checksum(error, e) == ChecksumCheck::good);
  }
  sink += write_ipip_header(out, frame, p, 1, 2, 3);
  sink += write_ip6_tunnel_header(out, frame, p, v6, v6);
}

}  // namespace
}  // namespace vsd::packet

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vsd::packet;
  const std::span<const uint8_t> bytes(data, size);
  touch(bytes, parse_frame(bytes));
  touch(bytes, parse_ip_packet(bytes));
  touch(bytes, parse_quoted_packet(bytes));
  write_after_parse(bytes);
  return 0;
}

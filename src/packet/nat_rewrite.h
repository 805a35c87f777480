#pragma once

#include <cstdint>
#include <span>

#include "packet/ipv6.h"
#include "packet/parsed_packet.h"

// Address and port rewrites for NAT and FULLNAT, each fixing the checksums it disturbs with
// RFC 1624 updates (IPVS: tcp/udp_fast_csum_update, ip_vs_nat_icmp). Addresses in host order
// (IPv4) or as 16 network-order bytes (IPv6). Each returns false and changes nothing when the
// packet lacks the header it needs.
namespace vsd::packet {

// How the L4 checksum field of the packet reads.
enum class L4ChecksumForm : uint8_t {
  complete,  // a full checksum
  partial,   // CHECKSUM_PARTIAL / TP_STATUS_CSUMNOTREADY: the pseudo-header sum, not complemented;
             // an address change moves it, a port change does not (the NIC will sum the ports)
};

// IPv4: the header checksum always; the TCP/UDP checksum through the pseudo-header when the
// packet holds that header (first fragment, not a quote). A UDP checksum of 0 over IPv4 means
// "none" and stays 0; an updated UDP checksum that comes to 0 is sent as 0xffff.
bool rewrite_ipv4_source(std::span<uint8_t> frame, const ParsedPacket& p, uint32_t address,
                         L4ChecksumForm form = L4ChecksumForm::complete);
bool rewrite_ipv4_destination(std::span<uint8_t> frame, const ParsedPacket& p, uint32_t address,
                              L4ChecksumForm form = L4ChecksumForm::complete);

// IPv6 has no header checksum; TCP, UDP and ICMPv6 carry the addresses in their pseudo-header.
bool rewrite_ipv6_source(std::span<uint8_t> frame, const ParsedPacket& p, const Ipv6Bytes& address,
                         L4ChecksumForm form = L4ChecksumForm::complete);
bool rewrite_ipv6_destination(std::span<uint8_t> frame, const ParsedPacket& p,
                              const Ipv6Bytes& address,
                              L4ChecksumForm form = L4ChecksumForm::complete);

// TCP or UDP ports. In a quoted packet (ICMP error) only the ports change: its L4 checksum lies
// beyond the quote or covers bytes that are not there, and IPVS leaves it alone too.
bool rewrite_source_port(std::span<uint8_t> frame, const ParsedPacket& p, uint16_t port,
                         L4ChecksumForm form = L4ChecksumForm::complete);
bool rewrite_destination_port(std::span<uint8_t> frame, const ParsedPacket& p, uint16_t port,
                              L4ChecksumForm form = L4ChecksumForm::complete);

}  // namespace vsd::packet

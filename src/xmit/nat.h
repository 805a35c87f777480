#pragma once

#include <span>

#include "common/address.h"
#include "packet/nat_rewrite.h"
#include "packet/parsed_packet.h"

// Masquerading (ipvsadm -m), ip_vs_nat_xmit and the NAT reply path of ip_vs_out: requests get
// the real server as destination, replies get the virtual service back as source. Checksums are
// updated incrementally; the caller has checked them where it wants them checked.
namespace vsd::xmit {

// Client -> VIP:vport becomes client -> server:port.
bool nat_rewrite_request(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                         const Endpoint& server, packet::L4ChecksumForm form);
// server:port -> client becomes VIP:vport -> client.
bool nat_rewrite_reply(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                       const Endpoint& virtual_service, packet::L4ChecksumForm form);

// The address rewrites of both families in one call (IPv4 host order / IPv6 bytes).
bool rewrite_source_address(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                            const IpAddress& address, packet::L4ChecksumForm form);
bool rewrite_destination_address(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                                 const IpAddress& address, packet::L4ChecksumForm form);

}  // namespace vsd::xmit

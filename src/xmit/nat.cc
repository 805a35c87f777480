#include "xmit/nat.h"

namespace vsd::xmit {

bool rewrite_source_address(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                            const IpAddress& address, packet::L4ChecksumForm form) {
  if (parsed.l3 == packet::Layer3::ipv4 && address.is_v4())
    return packet::rewrite_ipv4_source(frame, parsed, address.v4_host_order(), form);
  if (parsed.l3 == packet::Layer3::ipv6 && address.is_v6())
    return packet::rewrite_ipv6_source(frame, parsed, address.bytes(), form);
  return false;
}

bool rewrite_destination_address(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                                 const IpAddress& address, packet::L4ChecksumForm form) {
  if (parsed.l3 == packet::Layer3::ipv4 && address.is_v4())
    return packet::rewrite_ipv4_destination(frame, parsed, address.v4_host_order(), form);
  if (parsed.l3 == packet::Layer3::ipv6 && address.is_v6())
    return packet::rewrite_ipv6_destination(frame, parsed, address.bytes(), form);
  return false;
}

bool nat_rewrite_request(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                         const Endpoint& server, packet::L4ChecksumForm form) {
  return rewrite_destination_address(frame, parsed, server.address, form) &&
         packet::rewrite_destination_port(frame, parsed, server.port, form);
}

bool nat_rewrite_reply(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                       const Endpoint& virtual_service, packet::L4ChecksumForm form) {
  return rewrite_source_address(frame, parsed, virtual_service.address, form) &&
         packet::rewrite_source_port(frame, parsed, virtual_service.port, form);
}

}  // namespace vsd::xmit

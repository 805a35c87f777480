#pragma once

#include <span>

#include "common/address.h"
#include "packet/nat_rewrite.h"
#include "packet/parsed_packet.h"

// Full NAT (DPVS's FNAT): both ends are rewritten, so the real server sees the director's local
// address as the client and answers to it whatever its routing; no route through the director
// is needed. The local endpoint comes from a LocalPortPool.
namespace vsd::xmit {

// client:cport -> VIP:vport becomes local:lport -> server:port.
bool fullnat_rewrite_request(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                             const Endpoint& local, const Endpoint& server,
                             packet::L4ChecksumForm form);
// server:port -> local:lport becomes VIP:vport -> client:cport.
bool fullnat_rewrite_reply(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                           const Endpoint& virtual_service, const Endpoint& client,
                           packet::L4ChecksumForm form);

}  // namespace vsd::xmit

#include "xmit/fullnat.h"

#include "xmit/nat.h"

namespace vsd::xmit {

bool fullnat_rewrite_request(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                             const Endpoint& local, const Endpoint& server,
                             packet::L4ChecksumForm form) {
  return rewrite_source_address(frame, parsed, local.address, form) &&
         packet::rewrite_source_port(frame, parsed, local.port, form) &&
         nat_rewrite_request(frame, parsed, server, form);
}

bool fullnat_rewrite_reply(std::span<uint8_t> frame, const packet::ParsedPacket& parsed,
                           const Endpoint& virtual_service, const Endpoint& client,
                           packet::L4ChecksumForm form) {
  return nat_rewrite_reply(frame, parsed, virtual_service, form) &&
         rewrite_destination_address(frame, parsed, client.address, form) &&
         packet::rewrite_destination_port(frame, parsed, client.port, form);
}

}  // namespace vsd::xmit

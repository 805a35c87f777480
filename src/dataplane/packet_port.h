#pragma once

#include <cstddef>
#include <span>

#include "dataplane/pipeline.h"
#include "xmit/packet_buffer.h"

namespace vsd::dataplane {

// One worker's access to the links, whatever the backend (AF_PACKET, AF_XDP): a batch in, the
// same batch out. Used by one thread only.
class PacketPort {
 public:
  virtual ~PacketPort() = default;
  // Waits up to `timeout_ms` for frames and fills up to buffers.size() of them; returns how
  // many. The buffers stay valid until complete().
  virtual size_t receive(std::span<xmit::PacketBuffer> buffers, std::span<RxInfo> rx,
                         int timeout_ms) = 0;
  // Sends the frames whose outcome is `transmit` on the interface it names, and gives the
  // batch's buffers back.
  virtual void complete(std::span<xmit::PacketBuffer> buffers,
                        std::span<const Outcome> outcomes) = 0;
};

}  // namespace vsd::dataplane

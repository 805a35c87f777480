#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "dataplane/packet_port.h"
#include "dataplane/settings.h"

struct xsk_socket;
struct xsk_umem;

namespace vsd::dataplane {

class XdpProgram;

// The `afxdp` backend: per worker, one AF_XDP socket per interface bound to receive queue
// `worker`, each with its own UMEM (4096-byte frames, the XDP headroom in front: tunnel headers
// and ICMP replies fit in place). The XDP program (xdp_program.h) sends only vsd's traffic here;
// everything else stays with the kernel. Zero-copy when the driver offers it, else copy mode
// (veth: copy, lab-notes trap 6). A frame sent out of the interface it came in on leaves from
// its own frame; to another interface it is copied into that interface's UMEM.
// Frames the pipeline passes to the kernel cannot be handed back from AF_XDP: they are dropped
// (the XDP program steers only what vsd handles, so these are rare: a TCP segment without a
// connection, an echo request to a VIP's service port...).
class AfXdpPort final : public PacketPort {
 public:
  static Result<std::unique_ptr<AfXdpPort>> open(const DataplaneSettings& settings, unsigned worker,
                                                 const XdpProgram& program);
  ~AfXdpPort() override;

  size_t receive(std::span<xmit::PacketBuffer> buffers, std::span<RxInfo> rx,
                 int timeout_ms) override;
  void complete(std::span<xmit::PacketBuffer> buffers, std::span<const Outcome> outcomes) override;
  bool zero_copy() const { return zero_copy_; }

 private:
  struct Socket;
  AfXdpPort() = default;
  void recycle(Socket& s);

  std::vector<std::unique_ptr<Socket>> sockets_;  // one per interface, in interface order
  struct Origin {
    uint32_t socket = 0;
    uint64_t frame = 0;
  };
  std::vector<Origin> origins_;  // of the frames handed out by receive()
  size_t next_socket_ = 0;
  bool zero_copy_ = false;
};

}  // namespace vsd::dataplane

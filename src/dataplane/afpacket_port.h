#pragma once

#include <poll.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "common/result.h"
#include "dataplane/packet_port.h"
#include "dataplane/settings.h"

namespace vsd::dataplane {

// The `afpacket` backend, for machines without XDP: per worker, one TPACKET_V2 receive ring per
// interface (V2, not V3: a V3 block is handed over only when full or after its retire timer of
// at least 1 ms, which every packet would wait at moderate rates), all workers' sockets of an
// interface in one PACKET_FANOUT_HASH group (a flow stays on one worker), and one sending socket
// (sendmmsg, one call per batch, qdisc bypassed). Lab-notes traps handled: ETH_P_ALL (the frames
// are seen before tc/nft ingress, where vsd hides the VIP traffic from the kernel),
// TP_STATUS_CSUMNOTREADY (passed on: the pipeline finishes the checksum), frames larger than the
// capture (GSO/GRO: passed on as oversized, dropped and counted), VLAN tags moved out of the frame
// by the kernel (put back). Frames are copied out of the ring into the worker's own buffers, which
// have room in front (tunnel headers) and behind (an ICMP error answering a small packet).
class AfPacketPort final : public PacketPort {
 public:
  static Result<std::unique_ptr<AfPacketPort>> open(const DataplaneSettings& settings,
                                                    unsigned worker);
  ~AfPacketPort() override;

  size_t receive(std::span<xmit::PacketBuffer> buffers, std::span<RxInfo> rx,
                 int timeout_ms) override;
  void complete(std::span<xmit::PacketBuffer> buffers, std::span<const Outcome> outcomes) override;

  uint64_t send_failures() const { return send_failures_; }

 private:
  struct Ring {
    int fd = -1;
    uint16_t interface = 0;
    uint8_t* map = nullptr;
    size_t map_size = 0;
    uint32_t frame = 0;  // the next frame to read
  };
  AfPacketPort() = default;
  bool next_frame(Ring& ring, xmit::PacketBuffer& buffer, RxInfo& rx, size_t slot);

  std::vector<Ring> rings_;
  std::vector<int> kernel_index_;  // interface number -> kernel ifindex
  std::vector<pollfd> poll_fds_;
  int send_fd_ = -1;
  size_t next_ring_ = 0;
  std::vector<uint8_t> buffers_;  // kMaxBatch slots of kSlotSize
  uint64_t send_failures_ = 0;
};

}  // namespace vsd::dataplane

#include "dataplane/afpacket_port.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "packet/byte_order.h"
#include "packet/numbers.h"

namespace vsd::dataplane {
namespace {

constexpr uint32_t kBlockSize = 1u << 20;
constexpr uint32_t kBlocks = 8;
// One frame per slot of the ring: room for anything the pipeline takes (a larger frame is
// oversized there anyway) and a whole number of frames per block.
constexpr uint32_t kFrameSize = 4096;
constexpr uint32_t kFrames = kBlockSize / kFrameSize * kBlocks;
constexpr uint32_t kSlotSize = 4096;
constexpr uint32_t kHeadroom = 128;
// Fanout group ids: one per interface, shared by the workers of this process.
constexpr uint16_t kFanoutBase = 0x5600;

Error system_error(const std::string& what) {
  return Error{what + ": " + std::strerror(errno), errno};
}

}  // namespace

Result<std::unique_ptr<AfPacketPort>> AfPacketPort::open(const DataplaneSettings& settings,
                                                         unsigned worker) {
  std::unique_ptr<AfPacketPort> port(new AfPacketPort());
  port->buffers_.assign(size_t{Pipeline::kMaxBatch} * kSlotSize, 0);
  for (size_t i = 0; i < settings.interfaces.size(); ++i) {
    const InterfaceSettings& itf = settings.interfaces[i];
    const unsigned ifindex = if_nametoindex(itf.name.c_str());
    if (ifindex == 0) return system_error("interface " + itf.name);
    port->kernel_index_.push_back(static_cast<int>(ifindex));

    Ring ring;
    ring.interface = static_cast<uint16_t>(i);
    ring.fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (ring.fd < 0) return system_error("AF_PACKET socket");
    port->rings_.push_back(ring);  // closed by the destructor from here on
    Ring& r = port->rings_.back();
    // TPACKET_V2, not V3: a V3 block reaches user space only when it is full or its retire
    // timer (1 ms at least) fires, so at low and moderate rates every packet waited up to a
    // millisecond (keep-alive HTTP through vsd ran at half the kernel's rate); a V2 frame is
    // the reader's as soon as it is written.
    const int version = TPACKET_V2;
    if (setsockopt(r.fd, SOL_PACKET, PACKET_VERSION, &version, sizeof version) != 0)
      return system_error("PACKET_VERSION TPACKET_V2");
    const int one = 1;
    // Our own transmissions would come back on an ETH_P_ALL socket.
    setsockopt(r.fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
    tpacket_req req{};
    req.tp_block_size = kBlockSize;
    req.tp_block_nr = kBlocks;
    req.tp_frame_size = kFrameSize;
    req.tp_frame_nr = kFrames;
    if (setsockopt(r.fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof req) != 0)
      return system_error("PACKET_RX_RING");
    r.map_size = size_t{kBlockSize} * kBlocks;
    void* map = mmap(nullptr, r.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, r.fd, 0);
    if (map == MAP_FAILED) return system_error("mmap of the receive ring");
    r.map = static_cast<uint8_t*>(map);
    sockaddr_ll addr{};
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = static_cast<int>(ifindex);
    if (bind(r.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      return system_error("bind to " + itf.name);
    const int fanout = (kFanoutBase + static_cast<int>(i)) | (PACKET_FANOUT_HASH << 16);
    if (settings.workers > 1 &&
        setsockopt(r.fd, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof fanout) != 0)
      return system_error("PACKET_FANOUT on " + itf.name);
  }
  (void)worker;  // the fanout group spreads flows; every worker's sockets look alike
  for (const Ring& r : port->rings_) port->poll_fds_.push_back(pollfd{r.fd, POLLIN | POLLERR, 0});
  port->send_fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (port->send_fd_ < 0) return system_error("AF_PACKET sending socket");
  const int one = 1;
  setsockopt(port->send_fd_, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);
  return port;
}

AfPacketPort::~AfPacketPort() {
  for (Ring& r : rings_) {
    if (r.map) munmap(r.map, r.map_size);
    if (r.fd >= 0) close(r.fd);
  }
  if (send_fd_ >= 0) close(send_fd_);
}

bool AfPacketPort::next_frame(Ring& ring, xmit::PacketBuffer& buffer, RxInfo& rx, size_t slot) {
  auto* h = reinterpret_cast<tpacket2_hdr*>(ring.map + size_t{ring.frame} * kFrameSize);
  const uint32_t status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);
  if ((status & TP_STATUS_USER) == 0) return false;
  const uint8_t* data = reinterpret_cast<const uint8_t*>(h) + h->tp_mac;
  const uint32_t captured = h->tp_snaplen;
  const bool tagged = (status & TP_STATUS_VLAN_VALID) != 0;
  const uint16_t tci = h->tp_vlan_tci;
  uint8_t* out = buffers_.data() + slot * kSlotSize;
  const uint32_t room = kSlotSize - kHeadroom - 1024;  // 1 KiB kept for replies
  uint32_t length = captured + (tagged ? 4u : 0u);
  rx = RxInfo{};
  rx.interface = ring.interface;
  rx.checksum_partial = (status & TP_STATUS_CSUMNOTREADY) != 0;
  rx.checksum_verified = (status & TP_STATUS_CSUM_VALID) != 0;
  rx.oversized = h->tp_len > captured || length > room;
  if (rx.oversized) length = 0;
  if (length != 0 && tagged && captured >= 12) {
    // The kernel took the 802.1Q tag out of the frame: put it back where it was.
    std::memcpy(out + kHeadroom, data, 12);
    packet::store_be16(out + kHeadroom + 12, packet::ethertype::vlan);
    packet::store_be16(out + kHeadroom + 14, tci);
    std::memcpy(out + kHeadroom + 16, data + 12, captured - 12);
  } else if (length != 0) {
    std::memcpy(out + kHeadroom, data, captured);
  }
  buffer = xmit::PacketBuffer({out, kSlotSize}, kHeadroom, length);
  // The frame is copied out: hand its slot back to the kernel at once.
  __atomic_store_n(&h->tp_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
  ring.frame = (ring.frame + 1) % kFrames;
  return true;
}

size_t AfPacketPort::receive(std::span<xmit::PacketBuffer> buffers, std::span<RxInfo> rx,
                             int timeout_ms) {
  const size_t want = std::min({buffers.size(), rx.size(), size_t{Pipeline::kMaxBatch}});
  size_t got = 0;
  for (int attempt = 0; attempt < 2 && got == 0; ++attempt) {
    // Round robin over the interfaces so that a busy one does not starve the others.
    for (size_t k = 0; k < rings_.size() && got < want; ++k) {
      Ring& ring = rings_[(next_ring_ + k) % rings_.size()];
      while (got < want && next_frame(ring, buffers[got], rx[got], got)) ++got;
    }
    next_ring_ = (next_ring_ + 1) % (rings_.empty() ? 1 : rings_.size());
    if (got == 0 && attempt == 0 && timeout_ms > 0) {
      for (pollfd& p : poll_fds_) p.revents = 0;
      poll(poll_fds_.data(), poll_fds_.size(), timeout_ms);
    }
  }
  return got;
}

void AfPacketPort::complete(std::span<xmit::PacketBuffer> buffers,
                            std::span<const Outcome> outcomes) {
  std::array<mmsghdr, Pipeline::kMaxBatch> messages{};
  std::array<iovec, Pipeline::kMaxBatch> vectors{};
  std::array<sockaddr_ll, Pipeline::kMaxBatch> addresses{};
  unsigned n = 0;
  for (size_t i = 0; i < buffers.size() && i < outcomes.size() && n < messages.size(); ++i) {
    if (outcomes[i].verdict != Verdict::transmit) continue;
    const auto frame = buffers[i].frame();
    if (frame.size() < 14 || outcomes[i].interface >= kernel_index_.size()) continue;
    sockaddr_ll& a = addresses[n];
    a.sll_family = AF_PACKET;
    a.sll_ifindex = kernel_index_[outcomes[i].interface];
    a.sll_halen = 6;
    std::memcpy(a.sll_addr, frame.data(), 6);
    vectors[n] = iovec{frame.data(), frame.size()};
    messages[n].msg_hdr.msg_name = &a;
    messages[n].msg_hdr.msg_namelen = sizeof a;
    messages[n].msg_hdr.msg_iov = &vectors[n];
    messages[n].msg_hdr.msg_iovlen = 1;
    ++n;
  }
  unsigned sent = 0;
  while (sent < n) {
    const int r = sendmmsg(send_fd_, messages.data() + sent, n - sent, MSG_DONTWAIT);
    if (r <= 0) {
      send_failures_ += n - sent;  // ring full or link down: the frames are lost, counted
      break;
    }
    sent += static_cast<unsigned>(r);
  }
}

}  // namespace vsd::dataplane

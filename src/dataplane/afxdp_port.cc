#include "dataplane/afxdp_port.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <xdp/xsk.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "dataplane/xdp_program.h"

namespace vsd::dataplane {
namespace {

constexpr uint32_t kFrameSize = 4096;
constexpr uint32_t kFrames = 4096;
constexpr uint32_t kRingSize = 2048;

}  // namespace

struct AfXdpPort::Socket {
  uint16_t interface = 0;
  uint8_t* area = nullptr;
  size_t area_size = 0;
  xsk_umem* umem = nullptr;
  xsk_ring_prod fill{};
  xsk_ring_cons completion{};
  xsk_socket* xsk = nullptr;
  xsk_ring_cons rx{};
  xsk_ring_prod tx{};
  std::vector<uint64_t> free;  // frame addresses owned by user space and unused
  uint32_t tx_pending = 0;

  ~Socket() {
    if (xsk) xsk_socket__delete(xsk);
    if (umem) xsk_umem__delete(umem);
    if (area) munmap(area, area_size);
  }
};

Result<std::unique_ptr<AfXdpPort>> AfXdpPort::open(const DataplaneSettings& settings,
                                                   unsigned worker, const XdpProgram& program) {
  std::unique_ptr<AfXdpPort> port(new AfXdpPort());
  port->origins_.resize(Pipeline::kMaxBatch);
  for (size_t i = 0; i < settings.interfaces.size(); ++i) {
    auto s = std::make_unique<Socket>();
    s->interface = static_cast<uint16_t>(i);
    s->area_size = size_t{kFrames} * kFrameSize;
    void* area = mmap(nullptr, s->area_size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (area == MAP_FAILED) return Error{std::string("UMEM: ") + std::strerror(errno), errno};
    s->area = static_cast<uint8_t*>(area);
    xsk_umem_config umem_config{};
    umem_config.fill_size = kRingSize;
    umem_config.comp_size = kRingSize;
    umem_config.frame_size = kFrameSize;
    umem_config.frame_headroom = 0;
    int err =
        xsk_umem__create(&s->umem, s->area, s->area_size, &s->fill, &s->completion, &umem_config);
    if (err != 0) return Error{std::string("UMEM: ") + std::strerror(-err), -err};
    xsk_socket_config config{};
    config.rx_size = kRingSize;
    config.tx_size = kRingSize;
    config.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
    const std::string& name = settings.interfaces[i].name;
    err = -EOPNOTSUPP;
    if (!program.generic_mode()) {
      config.bind_flags = XDP_ZEROCOPY | XDP_USE_NEED_WAKEUP;
      err = xsk_socket__create(&s->xsk, name.c_str(), worker, s->umem, &s->rx, &s->tx, &config);
      if (err == 0) port->zero_copy_ = true;
    }
    if (err != 0) {
      config.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP;
      err = xsk_socket__create(&s->xsk, name.c_str(), worker, s->umem, &s->rx, &s->tx, &config);
    }
    if (err != 0)
      return Error{"AF_XDP socket on " + name + " queue " + std::to_string(worker) + ": " +
                       std::strerror(-err) + " (one worker per receive queue)",
                   -err};
    if (Status st = program.add_socket(s->interface, worker, xsk_socket__fd(s->xsk)); !st)
      return st.error();
    for (uint32_t f = 0; f < kFrames; ++f) s->free.push_back(uint64_t{f} * kFrameSize);
    port->sockets_.push_back(std::move(s));
  }
  for (auto& s : port->sockets_) port->recycle(*s);
  return port;
}

AfXdpPort::~AfXdpPort() = default;

void AfXdpPort::recycle(Socket& s) {
  uint32_t index = 0;
  const uint32_t done = xsk_ring_cons__peek(&s.completion, kRingSize, &index);
  for (uint32_t k = 0; k < done; ++k)
    s.free.push_back(*xsk_ring_cons__comp_addr(&s.completion, index + k));
  if (done) xsk_ring_cons__release(&s.completion, done);
  // Keep half the frames in the fill ring for the kernel to receive into.
  const uint32_t wanted = std::min<uint32_t>(xsk_prod_nb_free(&s.fill, kRingSize),
                                             static_cast<uint32_t>(s.free.size() / 2));
  if (wanted == 0) return;
  if (xsk_ring_prod__reserve(&s.fill, wanted, &index) != wanted) return;
  for (uint32_t k = 0; k < wanted; ++k) {
    *xsk_ring_prod__fill_addr(&s.fill, index + k) = s.free.back();
    s.free.pop_back();
  }
  xsk_ring_prod__submit(&s.fill, wanted);
}

size_t AfXdpPort::receive(std::span<xmit::PacketBuffer> buffers, std::span<RxInfo> rx,
                          int timeout_ms) {
  const size_t want = std::min({buffers.size(), rx.size(), size_t{Pipeline::kMaxBatch}});
  size_t got = 0;
  for (int attempt = 0; attempt < 2 && got == 0; ++attempt) {
    for (size_t k = 0; k < sockets_.size() && got < want; ++k) {
      const size_t which = (next_socket_ + k) % sockets_.size();
      Socket& s = *sockets_[which];
      recycle(s);
      uint32_t index = 0;
      const uint32_t n = xsk_ring_cons__peek(&s.rx, static_cast<uint32_t>(want - got), &index);
      for (uint32_t j = 0; j < n; ++j) {
        const xdp_desc* d = xsk_ring_cons__rx_desc(&s.rx, index + j);
        const uint64_t address = xsk_umem__extract_addr(d->addr);
        const uint64_t frame = address & ~uint64_t{kFrameSize - 1};
        buffers[got] = xmit::PacketBuffer({s.area + frame, kFrameSize},
                                          static_cast<uint32_t>(address - frame), d->len);
        rx[got] = RxInfo{};
        rx[got].interface = s.interface;
        rx[got].checksum_may_be_partial = !zero_copy_;
        origins_[got] = Origin{static_cast<uint32_t>(which), frame};
        ++got;
      }
      if (n) xsk_ring_cons__release(&s.rx, n);
    }
    next_socket_ = (next_socket_ + 1) % (sockets_.empty() ? 1 : sockets_.size());
    if (got == 0 && attempt == 0 && timeout_ms > 0) {
      std::array<pollfd, 16> fds{};
      size_t count = 0;
      for (const auto& s : sockets_)
        if (count < fds.size()) fds[count++] = pollfd{xsk_socket__fd(s->xsk), POLLIN, 0};
      for (const auto& s : sockets_)
        if (xsk_ring_prod__needs_wakeup(&s->fill))
          recvfrom(xsk_socket__fd(s->xsk), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
      poll(fds.data(), count, timeout_ms);
    }
  }
  return got;
}

void AfXdpPort::complete(std::span<xmit::PacketBuffer> buffers, std::span<const Outcome> outcomes) {
  for (size_t i = 0; i < buffers.size() && i < outcomes.size(); ++i) {
    const Origin origin = origins_[i];
    Socket& in = *sockets_[origin.socket];
    const Outcome& o = outcomes[i];
    if (o.verdict != Verdict::transmit || o.interface >= sockets_.size()) {
      in.free.push_back(origin.frame);
      continue;
    }
    Socket& out = *sockets_[o.interface];
    uint64_t address = origin.frame + buffers[i].offset();
    if (&out != &in) {
      // Another UMEM: copy the frame into one of its own.
      in.free.push_back(origin.frame);
      if (out.free.empty()) continue;
      const uint64_t frame = out.free.back();
      out.free.pop_back();
      std::memcpy(out.area + frame, buffers[i].frame().data(), buffers[i].length());
      address = frame;
    }
    uint32_t index = 0;
    if (xsk_ring_prod__reserve(&out.tx, 1, &index) != 1) {
      out.free.push_back(address & ~uint64_t{kFrameSize - 1});  // TX ring full: lost
      continue;
    }
    xdp_desc* d = xsk_ring_prod__tx_desc(&out.tx, index);
    d->addr = address;
    d->len = buffers[i].length();
    xsk_ring_prod__submit(&out.tx, 1);
    ++out.tx_pending;
  }
  for (auto& s : sockets_) {
    if (s->tx_pending == 0) continue;
    s->tx_pending = 0;
    // Copy mode needs a kick to send; with need_wakeup only when the kernel asks for one.
    if (!zero_copy_ || xsk_ring_prod__needs_wakeup(&s->tx))
      sendto(xsk_socket__fd(s->xsk), nullptr, 0, MSG_DONTWAIT, nullptr, 0);
  }
}

}  // namespace vsd::dataplane

#pragma once

#include <array>
#include <atomic>
#include <cstdint>

#include "conn/tcp_state.h"

namespace vsd::conn {

// What ipvsadm --timeout prints and --set changes.
struct TimeoutSummary {
  uint32_t tcp_s = 0;     // ESTABLISHED
  uint32_t tcpfin_s = 0;  // FIN_WAIT
  uint32_t udp_s = 0;
  friend bool operator==(const TimeoutSummary&, const TimeoutSummary&) = default;
};

// Per-state connection timeouts in seconds, IPVS defaults (ip_vs_proto_tcp.c tcp_timeouts,
// ip_vs_proto_udp.c udp_timeouts). Read on the packet path, changed by the control loop.
class Timeouts {
 public:
  Timeouts();

  uint32_t tcp_seconds(TcpState state) const {
    return tcp_[static_cast<unsigned>(state)].load(std::memory_order_relaxed);
  }
  uint32_t udp_seconds() const { return udp_.load(std::memory_order_relaxed); }

  // ipvsadm --set tcp tcpfin udp: sets ESTABLISHED, FIN_WAIT and UDP; 0 leaves a value as it is.
  void set(uint32_t tcp_s, uint32_t tcpfin_s, uint32_t udp_s);
  TimeoutSummary summary() const;

 private:
  std::array<std::atomic<uint32_t>, kTcpStateCount> tcp_;
  std::atomic<uint32_t> udp_;
};

}  // namespace vsd::conn

#include "conn/timeouts.h"

namespace vsd::conn {

Timeouts::Timeouts() {
  constexpr std::array<uint32_t, kTcpStateCount> kTcpDefaults = {
      2,    // NONE
      900,  // ESTABLISHED
      120,  // SYN_SENT
      60,   // SYN_RECV
      120,  // FIN_WAIT
      120,  // TIME_WAIT
      10,   // CLOSE
      60,   // CLOSE_WAIT
      30,   // LAST_ACK
      120,  // LISTEN
      120,  // SYNACK
  };
  for (unsigned i = 0; i < kTcpStateCount; ++i)
    tcp_[i].store(kTcpDefaults[i], std::memory_order_relaxed);
  udp_.store(300, std::memory_order_relaxed);
}

void Timeouts::set(uint32_t tcp_s, uint32_t tcpfin_s, uint32_t udp_s) {
  if (tcp_s != 0)
    tcp_[static_cast<unsigned>(TcpState::established)].store(tcp_s, std::memory_order_relaxed);
  if (tcpfin_s != 0)
    tcp_[static_cast<unsigned>(TcpState::fin_wait)].store(tcpfin_s, std::memory_order_relaxed);
  if (udp_s != 0) udp_.store(udp_s, std::memory_order_relaxed);
}

TimeoutSummary Timeouts::summary() const {
  return {tcp_seconds(TcpState::established), tcp_seconds(TcpState::fin_wait), udp_seconds()};
}

}  // namespace vsd::conn

#pragma once

#include <cstdint>
#include <string_view>

namespace vsd::conn {

// The IPVS TCP states, in the order (and so with the numbers) of include/net/ip_vs.h.
enum class TcpState : uint8_t {
  none,
  established,
  syn_sent,
  syn_recv,
  fin_wait,
  time_wait,
  close,
  close_wait,
  last_ack,
  listen,
  synack,
};
inline constexpr unsigned kTcpStateCount = 11;

// As ipvsadm -c prints them: "NONE", "ESTABLISHED", "SYN_SENT", ...
std::string_view to_string(TcpState state);

// States counted in ActiveConn; every other state counts in InActConn.
bool is_active(TcpState state);

// TCP header flag bits, as they sit in the flags byte of the header.
namespace tcp_flag {
inline constexpr uint8_t fin = 0x01;
inline constexpr uint8_t syn = 0x02;
inline constexpr uint8_t rst = 0x04;
inline constexpr uint8_t ack = 0x10;
}  // namespace tcp_flag

// Which of IPVS's three transition tables a packet is run through: INPUT (client to director)
// and OUTPUT (server to client) when the director sees both directions (NAT, FULLNAT);
// INPUT-ONLY while it has seen no reply (DR, TUN, Local).
enum class TcpTable : uint8_t { input, output, input_only };

// The state after a packet with these flags: the flag that counts is RST, else SYN, else FIN,
// else ACK; a packet with none of them moves the connection to CLOSE.
TcpState next_tcp_state(TcpTable table, TcpState current, uint8_t flags);

// IPVS schedules a new TCP connection only for a SYN without RST (sloppy_tcp off, the default).
inline bool tcp_starts_connection(uint8_t flags) {
  return (flags & tcp_flag::syn) != 0 && (flags & tcp_flag::rst) == 0;
}

}  // namespace vsd::conn

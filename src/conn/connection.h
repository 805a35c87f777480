#pragma once

#include <cstdint>
#include <string_view>

#include "common/address.h"
#include "common/time.h"
#include "conn/tcp_state.h"
#include "core/real_server.h"
#include "core/service.h"

namespace vsd::conn {

class ConnectionTable;

// Which way a packet of a connection travels: from the client towards the virtual service, or
// a reply from the real server (seen only with NAT and FULLNAT).
enum class Direction : uint8_t { input, output };

// A connection (or persistence template) in use, as IPVS's ip_vs_conn_in_get() hands one out:
// while a handle exists the entry is not reclaimed, and its destination stays alive. Keep it
// for the packet being handled only, never across batches.
class Connection {
 public:
  Connection() = default;
  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection() { reset(); }

  explicit operator bool() const { return table_ != nullptr; }
  void reset();

  bool is_template() const;
  uint8_t ip_protocol() const;  // 6, 17; 0 (IPPROTO_IP) for a fwmark template
  AddressFamily family() const { return family_; }
  Endpoint client() const;
  Endpoint virtual_endpoint() const;
  Endpoint server() const;  // the destination's address and the port packets are sent to
  Endpoint local() const;   // FULLNAT: the director's address:port facing the real server
  core::RealServer& destination() const;
  core::ForwardMethod method() const;
  TcpState tcp_state() const;
  std::string_view state_name() const;  // as ipvsadm -c shows it
  Instant expires_at() const;
  uint32_t controlled_connections() const;  // templates: IPVS n_control
  bool controlled() const;                  // a connection under a persistence template
  bool reply_seen() const;                  // IPVS: IP_VS_CONN_F_NOOUTPUT cleared

  // A packet of this connection was seen: runs the protocol's state machine (TCP: the INPUT,
  // OUTPUT or INPUT-ONLY table, keeping ActiveConn/InActConn in step) and re-arms the timer
  // with the new state's timeout.
  void on_packet(Direction direction, uint8_t tcp_flags, Instant now);
  // Re-arms the timer without a state change (a template being used again).
  void touch(Instant now);
  // IPVS ip_vs_check_template: a template whose destination left the service is not found
  // again; it stays until its timer runs out.
  void invalidate_template();
  // IPVS ip_vs_conn_expire_now: the entry is due from `now` (lookups no longer find it) and is
  // reclaimed at once (its destination's counts drop) unless another handle holds it or, for a
  // template, it still controls connections; then a later sweep reclaims it. Empties this handle.
  void expire_now(Instant now);

  // Packet counters of the destination and its service (ipvsadm --stats).
  void count_inbound(unsigned worker, uint64_t bytes) const;
  void count_outbound(unsigned worker, uint64_t bytes) const;

 private:
  friend class ConnectionTable;
  Connection(ConnectionTable* table, AddressFamily family, uint32_t index)
      : table_(table), index_(index), family_(family) {}
  template <class F>
  decltype(auto) visit(F&& f) const;

  ConnectionTable* table_ = nullptr;
  uint32_t index_ = 0;
  AddressFamily family_ = AddressFamily::v4;
};

}  // namespace vsd::conn

#pragma once

// Internal to the conn module: the slab entry and the compact address types it is built on.
#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>

#include "common/address.h"
#include "common/hash.h"
#include "core/real_server.h"

namespace vsd::conn {

// An IPv4 address as the 4 network-order bytes: a connection stores four of them, so 16-byte
// addresses would double an IPv4 entry.
struct Addr4 {
  static constexpr AddressFamily kFamily = AddressFamily::v4;
  uint32_t raw = 0;

  static Addr4 from(const IpAddress& a) {
    Addr4 out;
    std::memcpy(&out.raw, a.bytes().data(), 4);
    return out;
  }
  // IPVS keys fwmark templates by the mark stored where the virtual address goes (htonl(mark)).
  static Addr4 from_mark(uint32_t mark) { return from(IpAddress::v4(mark)); }
  IpAddress ip() const {
    std::array<uint8_t, 4> b;
    std::memcpy(b.data(), &raw, 4);
    return IpAddress::v4((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) |
                         uint32_t{b[3]});
  }
  uint64_t fold(uint64_t h) const { return hash_combine(h, raw); }
  friend bool operator==(const Addr4&, const Addr4&) = default;
};

struct Addr6 {
  static constexpr AddressFamily kFamily = AddressFamily::v6;
  std::array<uint8_t, 16> bytes{};

  static Addr6 from(const IpAddress& a) { return Addr6{a.bytes()}; }
  static Addr6 from_mark(uint32_t mark) {
    Addr6 out;
    std::memcpy(out.bytes.data(), IpAddress::v4(mark).bytes().data(), 4);
    return out;
  }
  IpAddress ip() const { return IpAddress::v6(bytes); }
  uint64_t fold(uint64_t h) const {
    uint64_t lo;
    uint64_t hi;
    std::memcpy(&lo, bytes.data(), 8);
    std::memcpy(&hi, bytes.data() + 8, 8);
    return hash_combine(hash_combine(h, lo), hi);
  }
  friend bool operator==(const Addr6&, const Addr6&) = default;
};

// What an inbound packet (client -> virtual service) is looked up by; templates use the same
// shape with the masked client, port 0, and kind = template.
template <class A>
struct InKey {
  uint8_t protocol = 0;  // IP protocol number; 0 (IPPROTO_IP) for fwmark templates
  uint8_t kind = 0;      // entry_kind
  A client;
  uint16_t client_port = 0;
  A virt;
  uint16_t virtual_port = 0;
};

// What a reply (real server -> client, or -> the FULLNAT local address) is looked up by.
template <class A>
struct OutKey {
  uint8_t protocol = 0;
  A server;
  uint16_t server_port = 0;
  A peer;
  uint16_t peer_port = 0;
};

namespace entry_kind {
inline constexpr uint8_t connection = 0;
inline constexpr uint8_t persistence_template = 1;
}  // namespace entry_kind

// Which entries the reply index holds: NAT and FULLNAT connections (not templates).
inline bool indexes_replies(uint8_t kind, uint8_t method) {
  const auto m = static_cast<core::ForwardMethod>(method);
  return kind == entry_kind::connection &&
         (m == core::ForwardMethod::masq || m == core::ForwardMethod::fullnat);
}

namespace entry_status {
inline constexpr uint8_t free = 0;
inline constexpr uint8_t allocated = 1;   // being filled in, not yet reachable
inline constexpr uint8_t linked = 2;      // in the index
inline constexpr uint8_t reclaiming = 3;  // claimed by an expirer
}  // namespace entry_status

// Bits of Entry::state_word besides the protocol state in the low four bits.
namespace state_bit {
inline constexpr uint16_t state_mask = 0x000f;
inline constexpr uint16_t no_output = 0x0010;   // IP_VS_CONN_F_NOOUTPUT: no reply seen yet
inline constexpr uint16_t invalid = 0x0020;     // a template that must no longer be used
inline constexpr uint16_t one_packet = 0x0040;  // IP_VS_CONN_F_ONE_PACKET (UDP -o)
}  // namespace state_bit

// One connection or persistence template. Key fields are written before the entry is linked and
// not changed until it is reclaimed; what changes while it is linked is atomic. 64 bytes for
// IPv4 (one cache line), 112 for IPv6.
template <class A>
struct Entry {
  uint32_t in_next = 0;   // inbound chain; the free list while free
  uint32_t out_next = 0;  // reply chain
  A client;
  A virt;  // or the fwmark, for a fwmark template
  A server;
  A local;  // FULLNAT: the director's source address towards the server
  uint16_t client_port = 0;
  uint16_t virtual_port = 0;
  uint16_t server_port = 0;
  uint16_t local_port = 0;
  uint8_t protocol = 0;
  uint8_t method = 0;  // core::ForwardMethod
  uint8_t kind = 0;
  std::atomic<uint8_t> status{entry_status::free};
  std::atomic<uint16_t> state_word{0};
  std::atomic<uint16_t> pins{0};  // IPVS's cp->refcnt: an entry in use is never reclaimed
  // A connection: 1 + the index of the template that controls it, or 0. A template: its
  // timeout in seconds (the service's persistence timeout).
  uint32_t control_or_timeout = 0;
  std::atomic<uint32_t> n_control{0};  // templates: connections they control
  core::RealServer* destination = nullptr;
  std::atomic<int64_t> deadline_ns{0};

  bool is_template() const { return kind == entry_kind::persistence_template; }
  bool in_reply_index() const { return indexes_replies(kind, method); }
};

// The key a reply finds a NAT or FULLNAT connection by: from the real server, to the client
// (NAT) or to the director's local address (FULLNAT).
template <class A>
OutKey<A> reply_key(uint8_t protocol, uint8_t method, const A& server, uint16_t server_port,
                    const A& client, uint16_t client_port, const A& local, uint16_t local_port) {
  const bool fullnat = static_cast<core::ForwardMethod>(method) == core::ForwardMethod::fullnat;
  OutKey<A> key;
  key.protocol = protocol;
  key.server = server;
  key.server_port = server_port;
  key.peer = fullnat ? local : client;
  key.peer_port = fullnat ? local_port : client_port;
  return key;
}

static_assert(sizeof(Entry<Addr4>) == 64, "an IPv4 entry must stay one cache line");

}  // namespace vsd::conn

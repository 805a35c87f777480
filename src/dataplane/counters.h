#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace vsd::dataplane {

// Why a packet ended as it did. Every packet the pipeline sees is counted in `received` and in
// exactly one outcome counter below it; the sum of the outcomes is `received`.
enum class Counter : uint8_t {
  received,
  // transmitted
  forwarded_dr,
  forwarded_nat,
  forwarded_tunnel,
  forwarded_fullnat,
  forwarded_nat_reply,
  forwarded_fullnat_reply,
  forwarded_icmp_to_server,
  forwarded_icmp_to_client,
  forwarded_fragment,
  sent_icmp_fragmentation_needed,  // tunnel or link MTU exceeded with DF (IPv6: packet too big)
  sent_icmp_port_unreachable,      // no destination could take a new connection (ip_vs_leave)
  sent_icmp_time_exceeded,         // a reply forwarded through the director with TTL <= 1
  sent_arp_request,                // next hop unknown: the packet is replaced by a request
  sent_arp_reply,                  // who-has for a FULLNAT local address (nobody else owns it)
  sent_neighbour_solicitation,     // IPv6 next hop unknown: the packet is replaced by an NS
  sent_neighbour_advertisement,    // NS for an IPv6 FULLNAT local address
  // passed to the kernel
  passed_not_ip,
  passed_not_service,        // not to a virtual service, not a reply of a connection
  passed_tcp_no_connection,  // non-SYN to a service without a connection: the kernel answers
  passed_local_method,       // the destination is the director itself (Local)
  passed_icmp,               // ICMP that concerns no connection (echo to a VIP, ...)
  // dropped
  dropped_truncated,
  dropped_malformed,
  dropped_bad_ip_checksum,
  dropped_bad_l4_checksum,
  dropped_oversized,         // bigger than the receiving link's MTU (a GSO/TSO super-frame)
  dropped_would_fragment,    // too big for the egress link, without DF: vsd does not fragment
  dropped_fragment_nat,      // a fragment of a NAT/FULLNAT connection (ports cannot be rewritten)
  dropped_fragment_unknown,  // a non-first fragment whose first fragment was not seen
  dropped_no_destination_no_icmp,  // no destination, and no ICMP may be sent about the packet
  dropped_table_full,
  dropped_no_local_port,  // FULLNAT pool exhausted
  dropped_unsupported,    // SCTP, a mixed-family destination
  dropped_no_route,
  dropped_neighbour_unresolved,  // resolution already asked for
  dropped_ttl_expired_no_icmp,
  dropped_rewrite_failed,
  count_
};

inline constexpr size_t kCounterCount = static_cast<size_t>(Counter::count_);

std::string_view to_string(Counter counter);

struct WorkerCounters;
// "received 202, forwarded_nat 101, ...": the counters that are not zero.
std::string summary(const WorkerCounters& counters);

// One worker's counters, written by that worker only (a relaxed load and store, no locked
// instruction); other threads read them with relaxed loads and sum workers.
struct alignas(64) WorkerCounters {
  std::array<uint64_t, kCounterCount> values{};
  void add(Counter c, uint64_t n = 1) {
    std::atomic_ref<uint64_t> v(values[static_cast<size_t>(c)]);
    v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t operator[](Counter c) const { return load(static_cast<size_t>(c)); }
  uint64_t load(size_t i) const {
    return std::atomic_ref<uint64_t>(const_cast<uint64_t&>(values[i]))
        .load(std::memory_order_relaxed);
  }
};

}  // namespace vsd::dataplane

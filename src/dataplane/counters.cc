#include "dataplane/counters.h"

namespace vsd::dataplane {

std::string_view to_string(Counter counter) {
  static constexpr std::array<std::string_view, kCounterCount> kNames = {
      "received",
      "forwarded_dr",
      "forwarded_nat",
      "forwarded_tunnel",
      "forwarded_fullnat",
      "forwarded_nat_reply",
      "forwarded_fullnat_reply",
      "forwarded_icmp_to_server",
      "forwarded_icmp_to_client",
      "forwarded_fragment",
      "sent_icmp_fragmentation_needed",
      "sent_icmp_port_unreachable",
      "sent_icmp_time_exceeded",
      "sent_arp_request",
      "sent_arp_reply",
      "sent_neighbour_solicitation",
      "sent_neighbour_advertisement",
      "passed_not_ip",
      "passed_not_service",
      "passed_tcp_no_connection",
      "passed_local_method",
      "passed_icmp",
      "dropped_truncated",
      "dropped_malformed",
      "dropped_bad_ip_checksum",
      "dropped_bad_l4_checksum",
      "dropped_oversized",
      "dropped_would_fragment",
      "dropped_fragment_nat",
      "dropped_fragment_unknown",
      "dropped_no_destination_no_icmp",
      "dropped_table_full",
      "dropped_no_local_port",
      "dropped_unsupported",
      "dropped_no_route",
      "dropped_neighbour_unresolved",
      "dropped_ttl_expired_no_icmp",
      "dropped_rewrite_failed",
  };
  const auto i = static_cast<size_t>(counter);
  return i < kNames.size() ? kNames[i] : "unknown";
}

std::string summary(const WorkerCounters& counters) {
  std::string out;
  for (size_t i = 0; i < kCounterCount; ++i) {
    const uint64_t n = counters.load(i);
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += std::string(to_string(static_cast<Counter>(i))) + " " + std::to_string(n);
  }
  return out.empty() ? "no packets" : out;
}

}  // namespace vsd::dataplane

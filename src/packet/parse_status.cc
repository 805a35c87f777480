#include "packet/parsed_packet.h"

namespace vsd::packet {

std::string_view to_string(ParseStatus status) {
  switch (status) {
    case ParseStatus::ok:
      return "ok";
    case ParseStatus::truncated_ethernet:
      return "truncated_ethernet";
    case ParseStatus::truncated_arp:
      return "truncated_arp";
    case ParseStatus::unsupported_arp:
      return "unsupported_arp";
    case ParseStatus::truncated_ip_header:
      return "truncated_ip_header";
    case ParseStatus::truncated_ip_payload:
      return "truncated_ip_payload";
    case ParseStatus::bad_ip_version:
      return "bad_ip_version";
    case ParseStatus::bad_ihl:
      return "bad_ihl";
    case ParseStatus::bad_ip_total_length:
      return "bad_ip_total_length";
    case ParseStatus::bad_ipv4_options:
      return "bad_ipv4_options";
    case ParseStatus::bad_fragment:
      return "bad_fragment";
    case ParseStatus::truncated_extension_header:
      return "truncated_extension_header";
    case ParseStatus::misplaced_hop_by_hop:
      return "misplaced_hop_by_hop";
    case ParseStatus::too_many_extension_headers:
      return "too_many_extension_headers";
    case ParseStatus::truncated_l4:
      return "truncated_l4";
    case ParseStatus::bad_tcp_data_offset:
      return "bad_tcp_data_offset";
    case ParseStatus::bad_udp_length:
      return "bad_udp_length";
  }
  return "unknown";
}

}  // namespace vsd::packet

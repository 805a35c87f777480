#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "packet/ipv6.h"
#include "packet/mac_address.h"

// Writers of single headers into a caller's buffer. Each returns the bytes written, or 0 (writing
// nothing) when the buffer is too small or the fields cannot be encoded.
namespace vsd::packet {

// Ethernet II, with an 802.1Q tag when vlan_tci is given: 14 or 18 bytes.
size_t write_ethernet_header(std::span<uint8_t> out, const MacAddress& destination,
                             const MacAddress& source, uint16_t ethertype,
                             std::optional<uint16_t> vlan_tci = std::nullopt);

struct Ipv4Fields {
  uint32_t source = 0;       // host order
  uint32_t destination = 0;  // host order
  uint8_t protocol = 0;
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t id = 0;
  bool dont_fragment = false;
  uint16_t payload_length = 0;  // bytes after the header
};
// 20 bytes, no options, checksum filled in.
size_t write_ipv4_header(std::span<uint8_t> out, const Ipv4Fields& fields);

struct Ipv6Fields {
  Ipv6Bytes source{};
  Ipv6Bytes destination{};
  uint8_t next_header = 0;
  uint8_t hop_limit = 64;
  uint8_t traffic_class = 0;
  uint32_t flow_label = 0;  // 20 bits
  uint16_t payload_length = 0;
};
size_t write_ipv6_header(std::span<uint8_t> out, const Ipv6Fields& fields);

}  // namespace vsd::packet

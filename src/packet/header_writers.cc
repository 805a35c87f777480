#include "packet/header_writers.h"

#include <cstring>

#include "packet/byte_order.h"
#include "packet/checksum.h"
#include "packet/numbers.h"

namespace vsd::packet {

size_t write_ethernet_header(std::span<uint8_t> out, const MacAddress& destination,
                             const MacAddress& source, uint16_t ethertype,
                             std::optional<uint16_t> vlan_tci) {
  const size_t length = vlan_tci ? 18 : 14;
  if (out.size() < length) return 0;
  uint8_t* p = out.data();
  destination.store(p);
  source.store(p + 6);
  if (vlan_tci) {
    store_be16(p + 12, ethertype::vlan);
    store_be16(p + 14, *vlan_tci);
    store_be16(p + 16, ethertype);
  } else {
    store_be16(p + 12, ethertype);
  }
  return length;
}

size_t write_ipv4_header(std::span<uint8_t> out, const Ipv4Fields& f) {
  constexpr size_t kHeader = 20;
  if (out.size() < kHeader || f.payload_length > 65535 - kHeader) return 0;
  uint8_t* p = out.data();
  p[0] = 0x45;
  p[1] = f.tos;
  store_be16(p + 2, static_cast<uint16_t>(kHeader + f.payload_length));
  store_be16(p + 4, f.id);
  store_be16(p + 6, f.dont_fragment ? 0x4000 : 0);
  p[8] = f.ttl;
  p[9] = f.protocol;
  store_be16(p + 10, 0);
  store_be32(p + 12, f.source);
  store_be32(p + 16, f.destination);
  store_be16(p + 10, internet_checksum({p, kHeader}));
  return kHeader;
}

size_t write_ipv6_header(std::span<uint8_t> out, const Ipv6Fields& f) {
  constexpr size_t kHeader = 40;
  if (out.size() < kHeader || f.flow_label > 0xfffff) return 0;
  uint8_t* p = out.data();
  store_be32(p, (6u << 28) | (uint32_t{f.traffic_class} << 20) | f.flow_label);
  store_be16(p + 4, f.payload_length);
  p[6] = f.next_header;
  p[7] = f.hop_limit;
  std::memcpy(p + 8, f.source.data(), 16);
  std::memcpy(p + 24, f.destination.data(), 16);
  return kHeader;
}

}  // namespace vsd::packet

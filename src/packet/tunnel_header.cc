#include "packet/tunnel_header.h"

#include "packet/header_writers.h"
#include "packet/ipv4.h"
#include "packet/numbers.h"

namespace vsd::packet {
namespace {

struct InnerTraits {
  uint8_t protocol = 0;
  uint8_t dsfield = 0;
  uint8_t ttl = 0;
  bool dont_fragment = false;
};

bool inner_traits(std::span<const uint8_t> frame, const ParsedPacket& inner, InnerTraits& t) {
  if (!inner.ok()) return false;
  if (auto v4 = ipv4_header(frame, inner)) {
    t = {ipproto::ipip, v4->tos(), v4->ttl(), v4->dont_fragment()};
    return true;
  }
  if (auto v6 = ipv6_header(frame, inner)) {
    t = {ipproto::ipv6, v6->traffic_class(), v6->hop_limit(), false};
    return true;
  }
  return false;
}

}  // namespace

size_t write_ipip_header(std::span<uint8_t> out, std::span<const uint8_t> frame,
                         const ParsedPacket& inner, uint32_t source, uint32_t destination,
                         uint16_t id) {
  InnerTraits t;
  if (!inner_traits(frame, inner, t) || inner.l3_length > 65535 - 20) return 0;
  Ipv4Fields f;
  f.source = source;
  f.destination = destination;
  f.protocol = t.protocol;
  f.ttl = t.ttl;
  f.tos = t.dsfield;
  f.id = id;
  f.dont_fragment = t.dont_fragment;
  f.payload_length = static_cast<uint16_t>(inner.l3_length);
  return write_ipv4_header(out, f);
}

size_t write_ip6_tunnel_header(std::span<uint8_t> out, std::span<const uint8_t> frame,
                               const ParsedPacket& inner, const Ipv6Bytes& source,
                               const Ipv6Bytes& destination) {
  InnerTraits t;
  if (!inner_traits(frame, inner, t) || inner.l3_length > 65535) return 0;
  Ipv6Fields f;
  f.source = source;
  f.destination = destination;
  f.next_header = t.protocol;
  f.hop_limit = t.ttl;
  f.traffic_class = t.dsfield;
  f.payload_length = static_cast<uint16_t>(inner.l3_length);
  return write_ipv6_header(out, f);
}

}  // namespace vsd::packet

// Behaviour matched: net/netfilter/ipvs/ip_vs_xmit.c (ip_vs_dr_xmit: only the link destination
// changes; ip_vs_tunnel_xmit: outer header from the director's address, frag-needed / packet
// too big with the reduced MTU when DF is set; ensure_mtu_is_adequate).
#include "dataplane/neighbour_discovery.h"
#include "dataplane/packet_fields.h"
#include "packet/arp_builder.h"
#include "packet/checksum_update.h"
#include "packet/ethernet.h"
#include "packet/ipv4.h"
#include "packet/ipv6.h"
#include "packet/numbers.h"
#include "xmit/tunnel.h"

namespace vsd::dataplane {
namespace {

// How long a wanted neighbour waits before another request is sent for it.
constexpr Duration kResolutionRetry = seconds(1);

}  // namespace

Outcome Pipeline::forward_direct(xmit::PacketBuffer& buffer, Packet& pk, const IpAddress& server,
                                 Counter success) {
  // Direct routing: the real server is on the link and takes the packet as it is.
  if (const Hop* hop = next_hops_.find(server, true)) return transmit_to(buffer, pk, *hop, success);
  auto route = routes_->lookup(server);
  if (!route) return drop(Counter::dropped_no_route);
  Outcome instead;
  auto hop = resolve(buffer, pk, server, route->interface, instead);
  if (!hop) return instead;
  next_hops_.remember(server, true, *hop);
  return transmit_to(buffer, pk, *hop, success);
}

Outcome Pipeline::forward_routed(xmit::PacketBuffer& buffer, Packet& pk,
                                 const IpAddress& destination, Counter success) {
  if (const Hop* hop = next_hops_.find(destination, false))
    return transmit_to(buffer, pk, *hop, success);
  auto route = routes_->lookup(destination);
  if (!route) return drop(Counter::dropped_no_route);
  Outcome instead;
  auto hop = resolve(buffer, pk, route->address, route->interface, instead);
  if (!hop) return instead;
  next_hops_.remember(destination, false, *hop);
  return transmit_to(buffer, pk, *hop, success);
}

Outcome Pipeline::forward_tunnel(xmit::PacketBuffer& buffer, Packet& pk, const IpAddress& server,
                                 Counter success) {
  std::optional<Hop> hop;
  if (const Hop* known = next_hops_.find(server, false)) {
    hop = *known;
  } else {
    auto route = routes_->lookup(server);
    if (!route) return drop(Counter::dropped_no_route);
    Outcome instead;
    hop = resolve(buffer, pk, route->address, route->interface, instead);
    if (!hop) return instead;
    next_hops_.remember(server, false, *hop);
  }
  auto source = own_address(hop->interface, server.family());
  if (!source) return drop(Counter::dropped_no_route);
  xmit::TunnelEnds ends;
  ends.source = *source;
  ends.destination = server;
  ends.link_source = settings_.interfaces[hop->interface].mac;
  ends.link_destination = hop->mac;
  ends.link_mtu = mtu_of(hop->interface);
  ends.ipv4_id = tunnel_id_++;
  switch (xmit::tunnel_encapsulate(buffer, pk.p, ends)) {
    case xmit::TunnelResult::encapsulated:
      return done(Verdict::transmit, success, hop->interface);
    case xmit::TunnelResult::too_big:
      return send_icmp_error(buffer, pk, IcmpKind::fragmentation_needed, pk.destination,
                             xmit::tunnel_inner_mtu(server.family(), ends.link_mtu),
                             Counter::sent_icmp_fragmentation_needed,
                             Counter::dropped_would_fragment);
    case xmit::TunnelResult::would_fragment:
      return drop(Counter::dropped_would_fragment);
    case xmit::TunnelResult::no_room:
      break;
  }
  return drop(Counter::dropped_rewrite_failed);
}

std::optional<Pipeline::Hop> Pipeline::resolve(xmit::PacketBuffer& buffer, Packet& pk,
                                               const IpAddress& next_hop, uint16_t interface,
                                               Outcome& instead) {
  if (auto n = shared_.neighbours().find(next_hop)) return Hop{n->mac, interface};
  if (!shared_.neighbours().want(next_hop, interface, pk.now, kResolutionRetry)) {
    instead = drop(Counter::dropped_neighbour_unresolved);
    return std::nullopt;
  }
  if (!own_address(interface, next_hop.family())) {
    instead = drop(Counter::dropped_neighbour_unresolved);
  } else if (next_hop.is_v4()) {
    instead = send_arp_request(buffer, next_hop, interface);
  } else {
    instead = send_neighbour_solicitation(buffer, next_hop, interface);
  }
  return std::nullopt;
}

Outcome Pipeline::send_arp_request(xmit::PacketBuffer& buffer, const IpAddress& target,
                                   uint16_t interface) {
  const InterfaceSettings& itf = settings_.interfaces[interface];
  packet::ArpFields arp;
  arp.operation = packet::arp_op::request;
  arp.sender_mac = itf.mac;
  arp.sender_ip = itf.ipv4->v4_host_order();
  arp.target_ip = target.v4_host_order();
  const size_t length = packet::build_arp_frame(buffer.storage().subspan(buffer.offset()),
                                                packet::MacAddress::broadcast(), arp);
  if (length == 0 || !buffer.set_length(static_cast<uint32_t>(length)))
    return drop(Counter::dropped_neighbour_unresolved);
  return done(Verdict::transmit, Counter::sent_arp_request, interface);
}

Outcome Pipeline::send_neighbour_solicitation(xmit::PacketBuffer& buffer, const IpAddress& target,
                                              uint16_t interface) {
  const InterfaceSettings& itf = settings_.interfaces[interface];
  const size_t length = build_neighbour_solicitation(buffer.storage().subspan(buffer.offset()),
                                                     itf.mac, itf.ipv6->bytes(), target.bytes());
  if (length == 0 || !buffer.set_length(static_cast<uint32_t>(length)))
    return drop(Counter::dropped_neighbour_unresolved);
  return done(Verdict::transmit, Counter::sent_neighbour_solicitation, interface);
}

Outcome Pipeline::transmit_to(xmit::PacketBuffer& buffer, Packet& pk, const Hop& hop,
                              Counter success) {
  const packet::ParsedPacket& p = pk.p;
  const uint32_t mtu = mtu_of(hop.interface);
  if (p.l3_length > mtu) {
    auto v4 = packet::ipv4_header(std::span<const uint8_t>(buffer.frame()), p);
    if (v4 && !v4->dont_fragment()) return drop(Counter::dropped_would_fragment);
    const auto source = pk.to_virtual_service ? std::optional<IpAddress>(pk.destination)
                                              : own_address(pk.rx.interface, pk.family());
    if (!source) return drop(Counter::dropped_would_fragment);
    return send_icmp_error(buffer, pk, IcmpKind::fragmentation_needed, *source, mtu,
                           Counter::sent_icmp_fragmentation_needed,
                           Counter::dropped_would_fragment);
  }
  auto eth = packet::ethernet_header(buffer.frame(), p);
  if (!eth) return drop(Counter::dropped_rewrite_failed);
  eth->set_destination(hop.mac);
  eth->set_source(settings_.interfaces[hop.interface].mac);
  return done(Verdict::transmit, success, hop.interface);
}

void Pipeline::decrement_ttl(std::span<uint8_t> frame, const packet::ParsedPacket& p) {
  if (auto v4 = packet::ipv4_header(frame, p)) {
    const uint8_t ttl = v4->ttl();
    if (ttl == 0) return;
    const auto before = static_cast<uint16_t>((ttl << 8) | v4->protocol());
    const auto after = static_cast<uint16_t>(((ttl - 1) << 8) | v4->protocol());
    v4->set_ttl(static_cast<uint8_t>(ttl - 1));
    v4->set_checksum(packet::checksum_update16(v4->checksum(), before, after));
  } else if (auto v6 = packet::ipv6_header(frame, p)) {
    if (v6->hop_limit() > 0) v6->set_hop_limit(static_cast<uint8_t>(v6->hop_limit() - 1));
  }
}

}  // namespace vsd::dataplane

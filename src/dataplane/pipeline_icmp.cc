// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c (ip_vs_in_icmp, ip_vs_in_icmp_v6,
// ip_vs_out_icmp, ip_vs_nat_icmp: errors about a connection's packets are translated, quoted
// packet included, and sent on to the other side; ip_vs_leave: port unreachable when no real
// server can take a new connection); net/ipv4/icmp.c icmp_send (an error about a packet sent to
// a local address comes from that address).
#include <cstring>

#include "dataplane/neighbour_discovery.h"
#include "dataplane/packet_fields.h"
#include "packet/ethernet.h"
#include "packet/header_writers.h"
#include "packet/icmp_error.h"
#include "packet/numbers.h"
#include "xmit/icmp_relay.h"

namespace vsd::dataplane {

Outcome Pipeline::icmp(xmit::PacketBuffer& buffer, Packet& pk) {
  const std::span<uint8_t> frame = buffer.frame();
  if (auto nd = read_neighbour_message(frame, pk.p)) return neighbour_message(buffer, pk, *nd);
  const auto quote = xmit::find_icmp_quote(frame, pk.p);
  if (!quote) return pass(Counter::passed_icmp);
  const xmit::QuotedFlow q = xmit::quoted_flow(frame, *quote);
  const auto protocol = static_cast<core::Protocol>(q.protocol);

  // From the client's side: the quoted packet went from the virtual service to the client.
  const conn::InboundKey in{protocol, q.destination.address, q.destination.port, q.source.address,
                            q.source.port};
  if (conn::Connection conn = table_.lookup(in, pk.now)) {
    const core::ForwardMethod method = conn.method();
    if (method == core::ForwardMethod::local) return pass(Counter::passed_local_method);
    const Endpoint server = conn.server();
    xmit::IcmpRewrite rewrite;
    if (method == core::ForwardMethod::masq) {
      rewrite.quoted_source = server;
      rewrite.outer_destination = server.address;
    } else if (method == core::ForwardMethod::fullnat) {
      const Endpoint local = conn.local();
      rewrite.quoted_source = server;
      rewrite.quoted_destination = local;
      rewrite.outer_source = local.address;
      rewrite.outer_destination = server.address;
    }
    conn.count_inbound(worker_, pk.p.l3_length);
    pk.to_virtual_service = true;
    if (method == core::ForwardMethod::route)
      return forward_direct(buffer, pk, server.address, Counter::forwarded_icmp_to_server);
    if (method == core::ForwardMethod::tunnel)
      return forward_tunnel(buffer, pk, server.address, Counter::forwarded_icmp_to_server);
    if (!xmit::rewrite_icmp_error(frame, pk.p, *quote, rewrite))
      return drop(Counter::dropped_rewrite_failed);
    return forward_routed(buffer, pk, server.address, Counter::forwarded_icmp_to_server);
  }

  // From the real server's side (NAT, FULLNAT): the quoted packet went to the real server.
  const conn::ReplyKey out{protocol, q.destination.address, q.destination.port, q.source.address,
                           q.source.port};
  if (conn::Connection conn = table_.lookup_reply(out, pk.now)) {
    // Forwarded like the replies; no error is sent about an error.
    if (pk.ttl <= 1) return drop(Counter::dropped_ttl_expired_no_icmp);
    const Endpoint virtual_service = conn.virtual_endpoint();
    const Endpoint client = conn.client();
    xmit::IcmpRewrite rewrite;
    rewrite.quoted_destination = virtual_service;
    rewrite.outer_source = virtual_service.address;
    if (conn.method() == core::ForwardMethod::fullnat) {
      rewrite.quoted_source = client;
      rewrite.outer_destination = client.address;
    }
    if (!xmit::rewrite_icmp_error(frame, pk.p, *quote, rewrite))
      return drop(Counter::dropped_rewrite_failed);
    conn.count_outbound(worker_, pk.p.l3_length);
    decrement_ttl(frame, pk.p);
    return forward_routed(buffer, pk, client.address, Counter::forwarded_icmp_to_client);
  }
  return pass(Counter::passed_icmp);
}

Outcome Pipeline::neighbour_message(xmit::PacketBuffer& buffer, Packet& pk,
                                    const NeighbourMessage& nd) {
  // What the link says about itself is learnt; the kernel answers for its own addresses.
  if (nd.link_address) {
    const IpAddress who = nd.type == packet::icmpv6_type::neighbor_solicitation
                              ? pk.source
                              : IpAddress::v6(nd.target);
    if (!who.is_unspecified()) shared_.neighbours().learn(who, *nd.link_address, pk.rx.interface);
  }
  if (nd.type != packet::icmpv6_type::neighbor_solicitation || !nd.link_address ||
      pk.source.is_unspecified() || !is_local_address(IpAddress::v6(nd.target)))
    return pass(Counter::passed_icmp);
  const size_t length = build_neighbour_advertisement(
      buffer.storage().subspan(buffer.offset()), settings_.interfaces[pk.rx.interface].mac,
      nd.target, *nd.link_address, pk.source.bytes());
  if (length == 0 || !buffer.set_length(static_cast<uint32_t>(length)))
    return pass(Counter::passed_icmp);
  return done(Verdict::transmit, Counter::sent_neighbour_advertisement, pk.rx.interface);
}

Outcome Pipeline::send_icmp_error(xmit::PacketBuffer& buffer, Packet& pk, IcmpKind kind,
                                  const IpAddress& source, uint32_t mtu, Counter success,
                                  Counter refused) {
  const std::span<const uint8_t> frame = buffer.frame();
  const packet::ParsedPacket& p = pk.p;
  const bool v4 = p.l3 == packet::Layer3::ipv4;
  if (v4 != source.is_v4()) return drop(refused);
  uint8_t type = 0;
  if (v4) {
    type = kind == IcmpKind::time_exceeded ? packet::icmp_type::time_exceeded
                                           : packet::icmp_type::destination_unreachable;
  } else {
    type = kind == IcmpKind::fragmentation_needed ? packet::icmpv6_type::packet_too_big
           : kind == IcmpKind::time_exceeded      ? packet::icmpv6_type::time_exceeded
                                                  : packet::icmpv6_type::destination_unreachable;
  }
  if (!packet::icmp_error_allowed(frame, p, type)) return drop(refused);

  // Back where the packet came from: to the previous hop's link address, on the same link.
  auto eth = packet::ethernet_header(frame, p);
  if (!eth) return drop(refused);
  const std::span<uint8_t> out(scratch_);
  const std::optional<uint16_t> vlan =
      p.has_vlan ? std::optional<uint16_t>(p.vlan_tci) : std::nullopt;
  const size_t l2 =
      packet::write_ethernet_header(out, eth->source(), settings_.interfaces[pk.rx.interface].mac,
                                    v4 ? packet::ethertype::ipv4 : packet::ethertype::ipv6, vlan);
  size_t l3 = 0;
  if (v4) {
    const uint32_t from = source.v4_host_order();
    const packet::Icmpv4Error error =
        kind == IcmpKind::fragmentation_needed
            ? packet::fragmentation_needed(from, static_cast<uint16_t>(mtu))
        : kind == IcmpKind::time_exceeded
            ? packet::time_exceeded(from)
            : packet::destination_unreachable(from, packet::icmp_code::port_unreachable);
    l3 = packet::build_icmpv4_error(out.subspan(l2), frame, p, error);
  } else {
    constexpr uint8_t kPortUnreachableV6 = 4;  // RFC 4443 3.1
    const packet::Icmpv6Error error =
        kind == IcmpKind::fragmentation_needed ? packet::packet_too_big(source.bytes(), mtu)
        : kind == IcmpKind::time_exceeded
            ? packet::time_exceeded_v6(source.bytes())
            : packet::destination_unreachable_v6(source.bytes(), kPortUnreachableV6);
    l3 = packet::build_icmpv6_error(out.subspan(l2), frame, p, error);
  }
  if (l2 == 0 || l3 == 0) return drop(refused);
  const size_t length = l2 + l3;
  if (length > buffer.capacity_after_offset()) return drop(refused);
  std::memcpy(buffer.storage().data() + buffer.offset(), scratch_.data(), length);
  buffer.set_length(static_cast<uint32_t>(length));
  return done(Verdict::transmit, success, pk.rx.interface);
}

}  // namespace vsd::dataplane

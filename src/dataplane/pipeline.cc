// Behaviour matched: net/netfilter/ipvs/ip_vs_core.c (ip_vs_in, ip_vs_out, ip_vs_schedule,
// ip_vs_leave), ip_vs_xmit.c (one transmitter per forwarding method).
#include "dataplane/pipeline.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <type_traits>

#include "conn/new_connection.h"
#include "conn/tcp_state.h"
#include "dataplane/connection_reuse.h"
#include "dataplane/packet_fields.h"
#include "packet/arp.h"
#include "packet/arp_builder.h"
#include "packet/byte_order.h"
#include "packet/checksum.h"
#include "packet/ipv4.h"
#include "packet/ipv6.h"
#include "packet/l4_checksum.h"
#include "packet/l4_ports.h"
#include "packet/numbers.h"
#include "packet/parse.h"
#include "packet/tcp.h"
#include "xmit/fullnat.h"
#include "xmit/nat.h"

namespace vsd::dataplane {
namespace {

// Connections reclaimed per batch and family at most: expiry never takes a batch's time.
constexpr size_t kExpirySlotsPerBatch = 64;

xmit::LocalPortPool::Settings pool_settings(const DataplaneSettings& s) {
  xmit::LocalPortPool::Settings p;
  p.addresses = s.fullnat_addresses;
  p.first_port = s.fullnat_first_port;
  p.last_port = s.fullnat_last_port;
  p.workers = s.workers;
  return p;
}

bool has_fullnat_destination(const core::ServiceView& service) {
  for (const core::RealServer* d : service.destinations)
    if (d->method() == core::ForwardMethod::fullnat) return true;
  return false;
}

// RFC 1071: a header with its checksum sums to all ones. The common 20-byte header is summed
// in five 32-bit words; options go through the general sum.
bool ipv4_header_checksum_ok(const uint8_t* ip, uint32_t length) {
  if (length != 20)
    return packet::checksum_fold(packet::checksum_accumulate({ip, length})) == 0xffff;
  uint64_t sum = 0;
  for (int i = 0; i < 20; i += 4) {
    uint32_t word;
    std::memcpy(&word, ip + i, 4);
    sum += word;
  }
  return packet::checksum_fold(sum) == 0xffff;
}

// A CHECKSUM_PARTIAL TCP/UDP segment carries the folded pseudo-header sum, not complemented.
bool looks_partial(std::span<const uint8_t> frame, const packet::ParsedPacket& p) {
  if (!p.l4_header_present || p.fragment.is_fragment() || p.quoted) return false;
  size_t field = 0;
  if (p.l4_protocol == packet::ipproto::tcp) {
    field = 16;
  } else if (p.l4_protocol == packet::ipproto::udp) {
    field = 6;
  } else {
    return false;
  }
  const uint8_t* ip = frame.data() + p.l3_offset;
  const uint16_t seed =
      p.l3 == packet::Layer3::ipv4
          ? packet::pseudo_header_sum_v4(packet::load_be32(ip + 12), packet::load_be32(ip + 16),
                                         p.l4_protocol, p.l4_length)
          : packet::pseudo_header_sum_v6(ip + 8, ip + 24, p.l4_length, p.l4_protocol);
  const uint16_t stored = packet::load_be16(frame.data() + p.l4_offset + field);
  return stored == seed && packet::verify_l4_checksum(frame, p) == packet::ChecksumCheck::bad;
}

// read() makes these in place over the previous packet's.
static_assert(std::is_trivially_destructible_v<packet::ParsedPacket>);
static_assert(std::is_trivially_destructible_v<IpAddress>);

bool is_transport(uint8_t protocol) {
  return protocol == packet::ipproto::tcp || protocol == packet::ipproto::udp ||
         protocol == packet::ipproto::sctp;
}

}  // namespace

DataplaneShared::DataplaneShared(DataplaneSettings settings, conn::ConnectionTable& table)
    : settings_(std::move(settings)), table_(table), pool_(pool_settings(settings_)) {
  for (const NeighbourSettings& n : settings_.neighbours)
    neighbours_.learn(n.address, n.mac, n.interface);
  publish_routes(std::make_shared<const RouteTable>(settings_));
}

Pipeline::Pipeline(DataplaneShared& shared, unsigned worker)
    : shared_(shared),
      settings_(shared.settings()),
      table_(shared.table()),
      worker_(worker),
      routes_(shared.routes()),
      fragments_(1024, shared.settings().fragment_timeout),
      batch_(std::make_unique<Packet[]>(kMaxBatch)),
      lookups_(std::make_unique<BatchLookups>()) {}

Pipeline::~Pipeline() = default;

void Pipeline::begin_batch(Instant now) {
  auto routes = shared_.routes();
  const uint64_t generation = shared_.neighbours().generation();
  if (routes != routes_ || generation != neighbour_generation_) next_hops_.clear();
  routes_ = std::move(routes);
  neighbour_generation_ = generation;
  table_.expire(now, kExpirySlotsPerBatch);
}

Outcome Pipeline::process(xmit::PacketBuffer& buffer, const RxInfo& rx,
                          const core::Snapshot& snapshot, Instant now) {
  Packet pk;
  if (const Outcome early = read(buffer, rx, now, pk); settled(early)) return early;
  conn::Connection found;
  if (pk.kind == Packet::Kind::transport) found = table_.lookup(pk.inbound_key(), now);
  return decide(buffer, pk, snapshot, found);
}

void Pipeline::process_batch(std::span<xmit::PacketBuffer> buffers, std::span<const RxInfo> rx,
                             std::span<Outcome> outcomes, const core::Snapshot& snapshot,
                             Instant now) {
  std::array<conn::InboundKey, kMaxBatch>& keys = lookups_->keys;
  std::array<conn::Connection, kMaxBatch>& found = lookups_->found;
  std::array<uint8_t, kMaxBatch> waiting;  // packet index of each key
  for (size_t first = 0; first < buffers.size(); first += kMaxBatch) {
    const size_t n = std::min(kMaxBatch, buffers.size() - first);
    size_t lookups = 0;
    for (size_t i = 0; i < n; ++i) {
      Packet& pk = batch_[i];
      if (const Outcome early = read(buffers[first + i], rx[first + i], now, pk); settled(early)) {
        outcomes[first + i] = early;
        pk.kind = Packet::Kind::other;
        waiting[i] = 0xff;  // settled
        continue;
      }
      waiting[i] = 0xfe;  // to decide, no lookup
      if (pk.kind == Packet::Kind::transport) {
        // Field by field: a whole-key temporary is written in pieces and read back wide.
        conn::InboundKey& key = keys[lookups];
        key.protocol = pk.protocol();
        key.client = pk.source;
        key.client_port = pk.source_port;
        key.virtual_address = pk.destination;
        key.virtual_port = pk.destination_port;
        waiting[i] = static_cast<uint8_t>(lookups++);
      }
    }
    table_.lookup(std::span<const conn::InboundKey>(keys.data(), lookups), now,
                  std::span<conn::Connection>(found.data(), lookups));
    for (size_t i = 0; i < n; ++i) {
      if (waiting[i] == 0xff) continue;
      conn::Connection none;
      conn::Connection& conn = waiting[i] == 0xfe ? none : found[waiting[i]];
      outcomes[first + i] = decide(buffers[first + i], batch_[i], snapshot, conn);
      conn.reset();
    }
  }
}

Outcome Pipeline::read(xmit::PacketBuffer& buffer, const RxInfo& rx, Instant now, Packet& pk) {
  counters_.add(Counter::received);
  const std::span<uint8_t> frame = buffer.frame();
  // Every field is written here (a batch reuses its Packet slots).
  pk.kind = Packet::Kind::other;
  pk.source_port = 0;
  pk.destination_port = 0;
  pk.tcp_flags = 0;
  pk.ttl = 0;
  pk.to_virtual_service = false;
  if (rx.oversized) return drop(Counter::dropped_oversized);
  // Made in place, as the addresses below, rather than assigned from a temporary.
  ::new (&pk.p) packet::ParsedPacket(packet::parse_frame(frame));
  pk.rx = rx;
  if (pk.rx.interface >= settings_.interfaces.size()) pk.rx.interface = 0;
  pk.now = now;
  const packet::ParsedPacket& p = pk.p;

  if (p.l3 == packet::Layer3::arp && p.ok()) {
    // Learn from what the link says about itself; the kernel answers it (it gets it too),
    // except for the FULLNAT local addresses, which only vsd knows.
    if (auto arp = packet::arp_packet(std::span<const uint8_t>(frame), p)) {
      shared_.neighbours().learn(IpAddress::v4(arp->sender_ip()), arp->sender_mac(),
                                 pk.rx.interface);
      if (arp->operation() == packet::arp_op::request && is_local_address(arp->target_ip()))
        return answer_arp(buffer, pk, arp->sender_mac(), arp->sender_ip(), arp->target_ip());
    }
    return pass(Counter::passed_not_ip);
  }
  if (!p.ok()) {
    return drop(packet::is_truncation(p.status) ? Counter::dropped_truncated
                                                : Counter::dropped_malformed);
  }
  if (!p.is_ip()) return pass(Counter::passed_not_ip);
  if (rx.checksum_partial) {
    packet::finish_partial_l4_checksum(frame, p);
    pk.rx.checksum_verified = true;  // we computed it ourselves
  }
  const std::span<const uint8_t> bytes = frame;
  // The addresses are made in their place (IpAddress is trivially destructible): an assignment
  // would copy a temporary back 16 bytes at once, just after it was written in pieces, and wait
  // for those stores on every packet.
  if (auto v4 = packet::ipv4_header(bytes, p)) {
    if (!ipv4_header_checksum_ok(v4->data(), p.l3_header_length))
      return drop(Counter::dropped_bad_ip_checksum);
    ::new (&pk.source) IpAddress(IpAddress::v4(v4->source()));
    ::new (&pk.destination) IpAddress(IpAddress::v4(v4->destination()));
    pk.ttl = v4->ttl();
  } else if (auto v6 = packet::ipv6_header(bytes, p)) {
    ::new (&pk.source) IpAddress(IpAddress::v6(v6->source()));
    ::new (&pk.destination) IpAddress(IpAddress::v6(v6->destination()));
    pk.ttl = v6->hop_limit();
  }
  if (p.l3_length > mtu_of(pk.rx.interface)) return drop(Counter::dropped_oversized);
  if (rx.checksum_may_be_partial && !rx.checksum_partial && looks_partial(frame, p)) {
    packet::finish_partial_l4_checksum(frame, p);
    pk.rx.checksum_verified = true;
  }

  if (p.l4_protocol == packet::ipproto::icmp || p.l4_protocol == packet::ipproto::icmpv6) {
    pk.kind = Packet::Kind::icmp;
    return kUnsettled;
  }
  if (!is_transport(p.l4_protocol)) return pass(Counter::passed_not_service);
  if (!p.fragment.is_first()) {
    pk.kind = Packet::Kind::later_fragment;
    return kUnsettled;
  }
  if (auto ports = packet::l4_ports(bytes, p)) {
    pk.source_port = ports->source();
    pk.destination_port = ports->destination();
  }
  if (auto tcp = packet::tcp_header(bytes, p)) pk.tcp_flags = tcp->flags();
  pk.kind = Packet::Kind::transport;
  if (pk.protocol() == core::Protocol::sctp) {
    // The parser reads no SCTP header; its common header opens with the ports, as TCP's.
    if (p.l4_length >= 4 && bytes.size() >= size_t{p.l4_offset} + 4)
      pk.destination_port = packet::load_be16(bytes.data() + p.l4_offset + 2);
    pk.kind = Packet::Kind::sctp;
  }
  return kUnsettled;
}

Outcome Pipeline::decide(xmit::PacketBuffer& buffer, Packet& pk, const core::Snapshot& snapshot,
                         conn::Connection& found) {
  switch (pk.kind) {
    case Packet::Kind::transport:
      return transport(buffer, pk, snapshot, found);
    case Packet::Kind::later_fragment:
      return later_fragment(buffer, pk);
    case Packet::Kind::icmp:
      return icmp(buffer, pk);
    case Packet::Kind::sctp:
      if (snapshot.lookup(pk.protocol(), pk.destination, pk.destination_port))
        return drop(Counter::dropped_unsupported);
      break;
    case Packet::Kind::other:
      break;
  }
  return pass(Counter::passed_not_service);
}

Outcome Pipeline::transport(xmit::PacketBuffer& buffer, Packet& pk, const core::Snapshot& snapshot,
                            conn::Connection& found) {
  // A client reusing the port of a finished connection, or one whose real server is gone,
  // starts a new connection (ip_vs_in: conn_reuse_mode, expire_nodest_conn).
  if (found && retires_connection(found, pk.protocol(), pk.destination, pk.destination_port,
                                  pk.tcp_flags, snapshot, settings_.reuse))
    found.expire_now(pk.now);
  // An existing connection first (it outlives its service, as in IPVS), then a new one.
  if (found) {
    found.on_packet(conn::Direction::input, pk.tcp_flags, pk.now);
    return forward_inbound(buffer, pk, found);
  }
  if (const core::ServiceView* service =
          snapshot.lookup(pk.protocol(), pk.destination, pk.destination_port))
    return schedule(buffer, pk, *service);
  const conn::ReplyKey out{pk.protocol(), pk.source, pk.source_port, pk.destination,
                           pk.destination_port};
  if (conn::Connection conn = table_.lookup_reply(out, pk.now)) return reply(buffer, pk, conn);
  return pass(Counter::passed_not_service);
}

Outcome Pipeline::schedule(xmit::PacketBuffer& buffer, Packet& pk,
                           const core::ServiceView& service) {
  if (pk.protocol() == core::Protocol::tcp && !conn::tcp_starts_connection(pk.tcp_flags))
    return pass(Counter::passed_tcp_no_connection);  // the kernel answers it (a reset)
  conn::Flow flow;
  flow.protocol = pk.protocol();
  flow.client = pk.source;
  flow.client_port = pk.source_port;
  flow.virtual_address = pk.destination;
  flow.virtual_port = pk.destination_port;
  flow.tcp_flags = pk.tcp_flags;
  std::optional<xmit::LocalPortPool::Lease> lease;
  if (has_fullnat_destination(service)) {
    lease = shared_.local_ports().acquire(worker_, pk.family(), table_, pk.now);
    if (!lease) return drop(Counter::dropped_no_local_port);
    flow.local = lease->local;
  }
  conn::NewConnection made =
      conn::create_connection(table_, service, flow, pk.now, worker_, settings_.reuse);
  switch (made.result) {
    case conn::NewConnection::Result::created:
      if (lease && made.connection.method() == core::ForwardMethod::fullnat)
        shared_.local_ports().commit(*lease, made.connection.server(), pk.protocol());
      break;
    case conn::NewConnection::Result::existing:
      break;
    case conn::NewConnection::Result::no_destination:
      // ip_vs_leave: no real server can take it; the client hears "port unreachable".
      return send_icmp_error(buffer, pk, IcmpKind::port_unreachable, pk.destination, 0,
                             Counter::sent_icmp_port_unreachable,
                             Counter::dropped_no_destination_no_icmp);
    case conn::NewConnection::Result::table_full:
      return drop(Counter::dropped_table_full);
    case conn::NewConnection::Result::unsupported:
      return drop(Counter::dropped_unsupported);
  }
  return forward_inbound(buffer, pk, made.connection);
}

Outcome Pipeline::forward_inbound(xmit::PacketBuffer& buffer, Packet& pk, conn::Connection& conn) {
  const packet::ParsedPacket& p = pk.p;
  const core::ForwardMethod method = conn.method();
  if (method == core::ForwardMethod::local) return pass(Counter::passed_local_method);
  pk.to_virtual_service = true;
  if (p.fragment.is_fragment()) {
    // Ports live in the first fragment only: NAT and FULLNAT cannot rewrite the others.
    if (!core::keeps_port(method)) return drop(Counter::dropped_fragment_nat);
    fragments_.remember(FragmentCache::Key{pk.source, pk.destination, p.fragment.id, p.l4_protocol},
                        conn::InboundKey{pk.protocol(), pk.source, pk.source_port, pk.destination,
                                         pk.destination_port},
                        pk.now);
  }
  const std::span<uint8_t> frame = buffer.frame();
  const Endpoint server = conn.server();
  switch (method) {
    case core::ForwardMethod::route:
      conn.count_inbound(worker_, p.l3_length);
      return forward_direct(buffer, pk, server.address, Counter::forwarded_dr);
    case core::ForwardMethod::tunnel:
      conn.count_inbound(worker_, p.l3_length);
      return forward_tunnel(buffer, pk, server.address, Counter::forwarded_tunnel);
    case core::ForwardMethod::masq:
      if (l4_checksum_bad(buffer, pk)) return drop(Counter::dropped_bad_l4_checksum);
      conn.count_inbound(worker_, p.l3_length);
      if (!xmit::nat_rewrite_request(frame, p, server, packet::L4ChecksumForm::complete))
        return drop(Counter::dropped_rewrite_failed);
      return forward_routed(buffer, pk, server.address, Counter::forwarded_nat);
    case core::ForwardMethod::fullnat:
      if (l4_checksum_bad(buffer, pk)) return drop(Counter::dropped_bad_l4_checksum);
      conn.count_inbound(worker_, p.l3_length);
      if (!xmit::fullnat_rewrite_request(frame, p, conn.local(), server,
                                         packet::L4ChecksumForm::complete))
        return drop(Counter::dropped_rewrite_failed);
      return forward_routed(buffer, pk, server.address, Counter::forwarded_fullnat);
    case core::ForwardMethod::local:
      break;
  }
  return pass(Counter::passed_local_method);
}

Outcome Pipeline::later_fragment(xmit::PacketBuffer& buffer, Packet& pk) {
  const FragmentCache::Key key{pk.source, pk.destination, pk.p.fragment.id, pk.p.l4_protocol};
  const conn::InboundKey* flow = fragments_.find(key, pk.now);
  if (!flow) return drop(Counter::dropped_fragment_unknown);
  conn::Connection conn = table_.lookup(*flow, pk.now);
  if (!conn) return drop(Counter::dropped_fragment_unknown);
  pk.to_virtual_service = true;
  conn.count_inbound(worker_, pk.p.l3_length);
  const IpAddress server = conn.server().address;
  if (conn.method() == core::ForwardMethod::tunnel)
    return forward_tunnel(buffer, pk, server, Counter::forwarded_fragment);
  return forward_direct(buffer, pk, server, Counter::forwarded_fragment);
}

Outcome Pipeline::reply(xmit::PacketBuffer& buffer, Packet& pk, conn::Connection& conn) {
  const packet::ParsedPacket& p = pk.p;
  if (p.fragment.is_fragment()) return drop(Counter::dropped_fragment_nat);
  if (pk.ttl <= 1) {
    // Replies are forwarded (ip_forward runs before IPVS's FORWARD hook): TTL expires here.
    auto own = own_address(pk.rx.interface, pk.family());
    if (!own) return drop(Counter::dropped_ttl_expired_no_icmp);
    return send_icmp_error(buffer, pk, IcmpKind::time_exceeded, *own, 0,
                           Counter::sent_icmp_time_exceeded, Counter::dropped_ttl_expired_no_icmp);
  }
  if (l4_checksum_bad(buffer, pk)) return drop(Counter::dropped_bad_l4_checksum);
  conn.on_packet(conn::Direction::output, pk.tcp_flags, pk.now);
  conn.count_outbound(worker_, p.l3_length);
  const std::span<uint8_t> frame = buffer.frame();
  const Endpoint client = conn.client();
  bool rewritten = false;
  Counter counter = Counter::forwarded_nat_reply;
  if (conn.method() == core::ForwardMethod::fullnat) {
    rewritten = xmit::fullnat_rewrite_reply(frame, p, conn.virtual_endpoint(), client,
                                            packet::L4ChecksumForm::complete);
    counter = Counter::forwarded_fullnat_reply;
  } else {
    rewritten = xmit::nat_rewrite_reply(frame, p, conn.virtual_endpoint(),
                                        packet::L4ChecksumForm::complete);
  }
  if (!rewritten) return drop(Counter::dropped_rewrite_failed);
  decrement_ttl(frame, p);
  return forward_routed(buffer, pk, client.address, counter);
}

bool Pipeline::l4_checksum_bad(xmit::PacketBuffer& buffer, const Packet& pk) const {
  if (!settings_.verify_l4_checksums || pk.rx.checksum_verified) return false;
  const auto check = packet::verify_l4_checksum(std::span<const uint8_t>(buffer.frame()), pk.p);
  return check == packet::ChecksumCheck::bad;
}

bool Pipeline::is_local_address(uint32_t address) const {
  for (const IpAddress& a : settings_.fullnat_addresses)
    if (a.is_v4() && a.v4_host_order() == address) return true;
  return false;
}

bool Pipeline::is_local_address(const IpAddress& address) const {
  for (const IpAddress& a : settings_.fullnat_addresses)
    if (a == address) return true;
  return false;
}

Outcome Pipeline::answer_arp(xmit::PacketBuffer& buffer, Packet& pk,
                             const packet::MacAddress& asker_mac, uint32_t asker,
                             uint32_t address) {
  const packet::MacAddress& mac = settings_.interfaces[pk.rx.interface].mac;
  packet::ArpFields reply;
  reply.operation = packet::arp_op::reply;
  reply.sender_mac = mac;
  reply.sender_ip = address;
  reply.target_mac = asker_mac;
  reply.target_ip = asker;
  const std::optional<uint16_t> vlan =
      pk.p.has_vlan ? std::optional<uint16_t>(pk.p.vlan_tci) : std::nullopt;
  const size_t length =
      packet::build_arp_frame(buffer.storage().subspan(buffer.offset()), asker_mac, reply, vlan);
  if (length == 0 || !buffer.set_length(static_cast<uint32_t>(length)))
    return pass(Counter::passed_not_ip);
  return done(Verdict::transmit, Counter::sent_arp_reply, pk.rx.interface);
}

uint32_t Pipeline::mtu_of(uint16_t interface) const {
  return interface < settings_.interfaces.size() ? settings_.interfaces[interface].mtu : 1500;
}

std::optional<IpAddress> Pipeline::own_address(uint16_t interface, AddressFamily family) const {
  if (interface >= settings_.interfaces.size()) return std::nullopt;
  const InterfaceSettings& itf = settings_.interfaces[interface];
  return family == AddressFamily::v4 ? itf.ipv4 : itf.ipv6;
}

}  // namespace vsd::dataplane

#include "conn/connection_table.h"

#include <algorithm>
#include <random>

namespace vsd::conn {

namespace {

constexpr uint8_t kTcp = 6;
constexpr uint8_t kUdp = 17;
constexpr int64_t kNanosPerSecond = 1'000'000'000;

int64_t nanos(Instant t) {
  return t.time_since_epoch().count();
}

int64_t seconds_to_nanos(uint32_t s) {
  return int64_t{s} * kNanosPerSecond;
}

uint64_t seed_from(const TableConfig& config) {
  if (config.hash_seed != 0) return config.hash_seed;
  std::random_device device;
  return (uint64_t{device()} << 32) | device();
}

std::string_view protocol_name(uint8_t protocol) {
  switch (protocol) {
    case kTcp:
      return "TCP";
    case kUdp:
      return "UDP";
    case 132:
      return "SCTP";
    default:
      return "IP";
  }
}

template <class A>
std::string_view state_name_of(const Entry<A>& e) {
  if (e.is_template() || e.protocol != kTcp) return e.is_template() ? "NONE" : "UDP";
  return to_string(
      static_cast<TcpState>(e.state_word.load(std::memory_order_relaxed) & state_bit::state_mask));
}

template <class A>
InKey<A> inbound_key(const InboundKey& key) {
  InKey<A> k;
  k.protocol = static_cast<uint8_t>(key.protocol);
  k.kind = entry_kind::connection;
  k.client = A::from(key.client);
  k.client_port = key.client_port;
  k.virt = A::from(key.virtual_address);
  k.virtual_port = key.virtual_port;
  return k;
}

template <class A>
InKey<A> template_key(const TemplateKey& key) {
  InKey<A> k;
  k.protocol = key.ip_protocol;
  k.kind = entry_kind::persistence_template;
  k.client = A::from(key.client);
  k.virt = key.fwmark != 0 ? A::from_mark(key.fwmark) : A::from(key.virtual_address);
  k.virtual_port = key.virtual_port;
  return k;
}

template <class A>
OutKey<A> reply_key(const ReplyKey& key) {
  OutKey<A> k;
  k.protocol = static_cast<uint8_t>(key.protocol);
  k.server = A::from(key.server);
  k.server_port = key.server_port;
  k.peer = A::from(key.peer);
  k.peer_port = key.peer_port;
  return k;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Connection

template <class F>
decltype(auto) Connection::visit(F&& f) const {
  if (family_ == AddressFamily::v4) return f(table_->v4_, table_->v4_.at(index_));
  return f(table_->v6_, table_->v6_.at(index_));
}

Connection::Connection(Connection&& other) noexcept
    : table_(std::exchange(other.table_, nullptr)), index_(other.index_), family_(other.family_) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    reset();
    table_ = std::exchange(other.table_, nullptr);
    index_ = other.index_;
    family_ = other.family_;
  }
  return *this;
}

void Connection::reset() {
  if (!table_) return;
  visit([&](auto& family, auto&) { family.unpin(index_); });
  table_ = nullptr;
}

bool Connection::is_template() const {
  return visit([](auto&, auto& e) { return e.is_template(); });
}

uint8_t Connection::ip_protocol() const {
  return visit([](auto&, auto& e) { return e.protocol; });
}

Endpoint Connection::client() const {
  return visit([](auto&, auto& e) { return Endpoint{e.client.ip(), e.client_port}; });
}

Endpoint Connection::virtual_endpoint() const {
  return visit([](auto&, auto& e) { return Endpoint{e.virt.ip(), e.virtual_port}; });
}

Endpoint Connection::server() const {
  return visit([](auto&, auto& e) { return Endpoint{e.server.ip(), e.server_port}; });
}

Endpoint Connection::local() const {
  return visit([](auto&, auto& e) { return Endpoint{e.local.ip(), e.local_port}; });
}

core::RealServer& Connection::destination() const {
  return *visit([](auto&, auto& e) { return e.destination; });
}

core::ForwardMethod Connection::method() const {
  return visit([](auto&, auto& e) { return static_cast<core::ForwardMethod>(e.method); });
}

TcpState Connection::tcp_state() const {
  return visit([](auto&, auto& e) {
    return static_cast<TcpState>(e.state_word.load(std::memory_order_relaxed) &
                                 state_bit::state_mask);
  });
}

std::string_view Connection::state_name() const {
  return visit([](auto&, auto& e) { return state_name_of(e); });
}

Instant Connection::expires_at() const {
  return visit([](auto&, auto& e) {
    return Instant{Duration{e.deadline_ns.load(std::memory_order_relaxed)}};
  });
}

uint32_t Connection::controlled_connections() const {
  return visit([](auto&, auto& e) { return e.n_control.load(std::memory_order_relaxed); });
}

bool Connection::controlled() const {
  return visit([](auto&, auto& e) { return !e.is_template() && e.control_or_timeout != 0; });
}

bool Connection::reply_seen() const {
  return visit([](auto&, auto& e) {
    return (e.state_word.load(std::memory_order_relaxed) & state_bit::no_output) == 0;
  });
}

void Connection::on_packet(Direction direction, uint8_t tcp_flags, Instant now) {
  const Timeouts& timeouts = table_->timeouts_;
  visit([&](auto&, auto& e) {
    if (e.is_template()) {
      e.deadline_ns.store(nanos(now) + seconds_to_nanos(e.control_or_timeout),
                          std::memory_order_relaxed);
      return;
    }
    uint16_t word = e.state_word.load(std::memory_order_relaxed);
    uint32_t timeout_s = timeouts.udp_seconds();
    if (e.protocol == kTcp) {
      // ip_vs_proto_tcp.c set_tcp_state: a connection that has seen no reply uses INPUT-ONLY;
      // the first reply switches it to INPUT/OUTPUT for good.
      TcpState next = TcpState::none;
      for (;;) {
        uint16_t updated = word;
        TcpTable table = TcpTable::input;
        if (direction == Direction::output) {
          table = TcpTable::output;
          updated = static_cast<uint16_t>(updated & ~state_bit::no_output);
        } else if (word & state_bit::no_output) {
          table = TcpTable::input_only;
        }
        const auto current = static_cast<TcpState>(word & state_bit::state_mask);
        next = next_tcp_state(table, current, tcp_flags);
        updated =
            static_cast<uint16_t>((updated & ~state_bit::state_mask) | static_cast<uint16_t>(next));
        if (updated == word) break;
        if (e.state_word.compare_exchange_weak(word, updated, std::memory_order_relaxed)) {
          if (is_active(current) != is_active(next))
            e.destination->set_connection_activity(is_active(next));
          break;
        }
      }
      timeout_s = timeouts.tcp_seconds(next);
    }
    const int64_t deadline =
        (word & state_bit::one_packet) ? nanos(now) : nanos(now) + seconds_to_nanos(timeout_s);
    e.deadline_ns.store(deadline, std::memory_order_relaxed);
  });
}

void Connection::touch(Instant now) {
  const Timeouts& timeouts = table_->timeouts_;
  visit([&](auto&, auto& e) {
    uint32_t timeout_s = e.control_or_timeout;
    if (!e.is_template()) {
      const auto state = static_cast<TcpState>(e.state_word.load(std::memory_order_relaxed) &
                                               state_bit::state_mask);
      timeout_s = e.protocol == kTcp ? timeouts.tcp_seconds(state) : timeouts.udp_seconds();
    }
    e.deadline_ns.store(nanos(now) + seconds_to_nanos(timeout_s), std::memory_order_relaxed);
  });
}

void Connection::invalidate_template() {
  visit([](auto&, auto& e) {
    if (e.is_template()) e.state_word.fetch_or(state_bit::invalid, std::memory_order_relaxed);
  });
}

void Connection::expire_now(Instant now) {
  if (!table_) return;
  const int64_t now_ns = nanos(now);
  visit([&](auto& family, auto& e) {
    int64_t deadline = e.deadline_ns.load(std::memory_order_relaxed);
    while (deadline > now_ns &&
           !e.deadline_ns.compare_exchange_weak(deadline, now_ns, std::memory_order_relaxed)) {
    }
    family.unpin(index_);
    family.reclaim_if_due(index_, now_ns);
  });
  table_ = nullptr;
}

void Connection::count_inbound(unsigned worker, uint64_t bytes) const {
  core::RealServer& d = destination();
  d.stats().add_inbound(worker, bytes);
  d.service().stats.add_inbound(worker, bytes);
}

void Connection::count_outbound(unsigned worker, uint64_t bytes) const {
  core::RealServer& d = destination();
  d.stats().add_outbound(worker, bytes);
  d.service().stats.add_outbound(worker, bytes);
}

// ---------------------------------------------------------------------------------------------
// ConnectionTable

ConnectionTable::ConnectionTable(const TableConfig& config)
    : v4_(config.ipv4_capacity, seed_from(config)),
      v6_(config.ipv6_capacity, seed_from(config) ^ 0x6a09e667f3bcc908ULL) {}

Connection ConnectionTable::lookup(const InboundKey& key, Instant now) {
  if (key.client.is_v4()) {
    const auto k = inbound_key<Addr4>(key);
    const uint32_t i = v4_.find_inbound(k, v4_.inbound_hash(k), nanos(now));
    return i == FamilyTable<Addr4>::kNone ? Connection{} : Connection{this, AddressFamily::v4, i};
  }
  const auto k = inbound_key<Addr6>(key);
  const uint32_t i = v6_.find_inbound(k, v6_.inbound_hash(k), nanos(now));
  return i == FamilyTable<Addr6>::kNone ? Connection{} : Connection{this, AddressFamily::v6, i};
}

Connection ConnectionTable::lookup_reply(const ReplyKey& key, Instant now) {
  if (key.server.is_v4()) {
    const uint32_t i = v4_.find_reply(reply_key<Addr4>(key), nanos(now));
    return i == FamilyTable<Addr4>::kNone ? Connection{} : Connection{this, AddressFamily::v4, i};
  }
  const uint32_t i = v6_.find_reply(reply_key<Addr6>(key), nanos(now));
  return i == FamilyTable<Addr6>::kNone ? Connection{} : Connection{this, AddressFamily::v6, i};
}

void ConnectionTable::lookup(std::span<const InboundKey> keys, Instant now,
                             std::span<Connection> out) {
  constexpr size_t kGroup = 16;
  const size_t n = std::min(keys.size(), out.size());
  for (size_t base = 0; base < n; base += kGroup) {
    const size_t count = std::min(kGroup, n - base);
    uint64_t hashes[kGroup];
    // Three passes so that the misses of a group overlap: bucket words, then the first entry
    // of each chain, then the locked walks.
    for (size_t j = 0; j < count; ++j) {
      const InboundKey& key = keys[base + j];
      if (key.client.is_v4()) {
        hashes[j] = v4_.inbound_hash(inbound_key<Addr4>(key));
        v4_.prefetch_bucket(hashes[j]);
      } else {
        hashes[j] = v6_.inbound_hash(inbound_key<Addr6>(key));
        v6_.prefetch_bucket(hashes[j]);
      }
    }
    for (size_t j = 0; j < count; ++j) {
      if (keys[base + j].client.is_v4())
        v4_.prefetch_chain_head(hashes[j]);
      else
        v6_.prefetch_chain_head(hashes[j]);
    }
    for (size_t j = 0; j < count; ++j) {
      const InboundKey& key = keys[base + j];
      if (key.client.is_v4()) {
        const uint32_t i = v4_.find_inbound(inbound_key<Addr4>(key), hashes[j], nanos(now));
        out[base + j] =
            i == FamilyTable<Addr4>::kNone ? Connection{} : Connection{this, AddressFamily::v4, i};
      } else {
        const uint32_t i = v6_.find_inbound(inbound_key<Addr6>(key), hashes[j], nanos(now));
        out[base + j] =
            i == FamilyTable<Addr6>::kNone ? Connection{} : Connection{this, AddressFamily::v6, i};
      }
    }
  }
}

Connection ConnectionTable::find_template(const TemplateKey& key, Instant now) {
  if (key.client.is_v4()) {
    const auto k = template_key<Addr4>(key);
    const uint32_t i = v4_.find_inbound(k, v4_.inbound_hash(k), nanos(now));
    return i == FamilyTable<Addr4>::kNone ? Connection{} : Connection{this, AddressFamily::v4, i};
  }
  const auto k = template_key<Addr6>(key);
  const uint32_t i = v6_.find_inbound(k, v6_.inbound_hash(k), nanos(now));
  return i == FamilyTable<Addr6>::kNone ? Connection{} : Connection{this, AddressFamily::v6, i};
}

namespace {

template <class A>
Insertion insert_into(ConnectionTable* table, FamilyTable<A>& family, const NewEntry<A>& fields,
                      Instant now, Connection (*make)(ConnectionTable*, AddressFamily, uint32_t)) {
  const auto inserted = family.insert(fields, nanos(now));
  Insertion out;
  if (inserted.index == FamilyTable<A>::kNone) {
    out.result = Insertion::Result::table_full;
    return out;
  }
  out.connection = make(table, A::kFamily, inserted.index);
  out.result = inserted.created ? Insertion::Result::created : Insertion::Result::existing;
  return out;
}

}  // namespace

Insertion ConnectionTable::insert_template(const TemplateKey& key, core::RealServer& destination,
                                           uint16_t destination_port, uint32_t timeout_s,
                                           Instant now) {
  if (destination.address().family() != key.client.family()) return {};
  auto make = [](ConnectionTable* t, AddressFamily f, uint32_t i) { return Connection{t, f, i}; };
  auto fill = [&]<class A>(NewEntry<A>& e) {
    e.key = template_key<A>(key);
    e.server = A::from(destination.address());
    e.server_port = destination_port;
    e.method = static_cast<uint8_t>(destination.method());
    e.control_or_timeout = timeout_s;
    e.destination = &destination;
    e.deadline_ns = nanos(now) + seconds_to_nanos(timeout_s);
  };
  if (key.client.is_v4()) {
    NewEntry<Addr4> e;
    fill(e);
    return insert_into(this, v4_, e, now, make);
  }
  NewEntry<Addr6> e;
  fill(e);
  return insert_into(this, v6_, e, now, make);
}

Insertion ConnectionTable::insert_connection(const ConnectionSpec& spec, Instant now) {
  const AddressFamily family = spec.client.family();
  const bool fullnat = spec.method == core::ForwardMethod::fullnat;
  if (spec.destination == nullptr || spec.virtual_address.family() != family ||
      spec.destination->address().family() != family ||
      (fullnat && spec.local.address.family() != family) ||
      (spec.protocol != core::Protocol::tcp && spec.protocol != core::Protocol::udp) ||
      (spec.controlled_by && spec.controlled_by->family() != family))
    return {};
  auto make = [](ConnectionTable* t, AddressFamily f, uint32_t i) { return Connection{t, f, i}; };
  uint16_t word = static_cast<uint16_t>(TcpState::none);
  // __ip_vs_update_dest: every method but NAT starts without output (FULLNAT sees replies too).
  if (spec.method != core::ForwardMethod::masq && !fullnat) word |= state_bit::no_output;
  if (spec.one_packet && spec.protocol == core::Protocol::udp) word |= state_bit::one_packet;
  const uint32_t first_timeout = spec.protocol == core::Protocol::tcp
                                     ? timeouts_.tcp_seconds(TcpState::none)
                                     : timeouts_.udp_seconds();
  auto fill = [&]<class A>(NewEntry<A>& e) {
    e.key = inbound_key<A>(InboundKey{spec.protocol, spec.client, spec.client_port,
                                      spec.virtual_address, spec.virtual_port});
    e.server = A::from(spec.destination->address());
    e.server_port = spec.destination_port;
    if (fullnat) {
      e.local = A::from(spec.local.address);
      e.local_port = spec.local.port;
    }
    e.method = static_cast<uint8_t>(spec.method);
    e.state_word = word;
    e.control_or_timeout = spec.controlled_by ? spec.controlled_by->index_ + 1 : 0;
    e.destination = spec.destination;
    e.deadline_ns =
        (word & state_bit::one_packet) ? nanos(now) : nanos(now) + seconds_to_nanos(first_timeout);
  };
  if (family == AddressFamily::v4) {
    NewEntry<Addr4> e;
    fill(e);
    return insert_into(this, v4_, e, now, make);
  }
  NewEntry<Addr6> e;
  fill(e);
  return insert_into(this, v6_, e, now, make);
}

size_t ConnectionTable::expire(Instant now, size_t max_entries) {
  return v4_.expire(nanos(now), max_entries) + v6_.expire(nanos(now), max_entries);
}

size_t ConnectionTable::expire_all_due(Instant now) {
  return v4_.expire_all_due(nanos(now)) + v6_.expire_all_due(nanos(now));
}

size_t ConnectionTable::flush() {
  return v4_.flush() + v6_.flush();
}

std::vector<ConnectionInfo> ConnectionTable::list(Instant now) {
  std::vector<ConnectionInfo> out;
  const int64_t now_ns = nanos(now);
  auto collect = [&](auto& family) {
    family.for_each([&](auto& e) {
      if (!family.live(e, now_ns)) return;
      ConnectionInfo info;
      info.protocol = protocol_name(e.protocol);
      int64_t left = e.deadline_ns.load(std::memory_order_relaxed) - now_ns;
      if (left <= 0 && e.is_template()) {
        // Its timer has been re-armed (it still controls connections): show the next period.
        const int64_t period = std::max<int64_t>(1, seconds_to_nanos(e.control_or_timeout));
        left = period - (-left) % period;
      }
      info.expires_in = Duration{std::max<int64_t>(0, left)};
      info.state = state_name_of(e);
      info.client = Endpoint{e.client.ip(), e.client_port};
      info.virtual_endpoint = Endpoint{e.virt.ip(), e.virtual_port};
      info.destination = Endpoint{e.server.ip(), e.server_port};
      info.local = Endpoint{e.local.ip(), e.local_port};
      info.method = static_cast<core::ForwardMethod>(e.method);
      info.is_template = e.is_template();
      out.push_back(info);
    });
  };
  collect(v4_);
  collect(v6_);
  return out;
}

}  // namespace vsd::conn

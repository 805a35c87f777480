// Slab, hash indexes and expiry of one address family. Behaviour matched:
// net/netfilter/ipvs/ip_vs_conn.c (ip_vs_bind_dest, ip_vs_unbind_dest, ip_vs_conn_expire with
// its n_control / refcnt "expire later" rules, ip_vs_control_del).
#include "conn/family_table.h"

#include <algorithm>
#include <type_traits>

#include "conn/tcp_state.h"

namespace vsd::conn {

namespace {

constexpr uint8_t kTcp = 6;
constexpr int64_t kNanosPerSecond = 1'000'000'000;

template <class A>
bool same_inbound(const Entry<A>& e, const InKey<A>& k) {
  return e.kind == k.kind && e.protocol == k.protocol && e.client_port == k.client_port &&
         e.virtual_port == k.virtual_port && e.client == k.client && e.virt == k.virt;
}

template <class A>
bool same_reply(const Entry<A>& e, const OutKey<A>& k) {
  if (e.protocol != k.protocol || e.server_port != k.server_port || !(e.server == k.server))
    return false;
  if (static_cast<core::ForwardMethod>(e.method) == core::ForwardMethod::fullnat)
    return e.local_port == k.peer_port && e.local == k.peer;
  return e.client_port == k.peer_port && e.client == k.peer;
}

// Expiry's hints read an entry's key without a lock while its slot may be reused: those fields
// are written and read there atomically (relaxed).
template <class T>
void store_relaxed(T& field, T value) {
  std::atomic_ref<T>(field).store(value, std::memory_order_relaxed);
}
template <class T>
T load_relaxed(T& field) {
  return std::atomic_ref<T>(field).load(std::memory_order_relaxed);
}

template <class A>
InKey<A> inbound_key_of(const Entry<A>& e) {
  InKey<A> key;
  key.protocol = e.protocol;
  key.kind = e.kind;
  key.client = e.client;
  key.client_port = e.client_port;
  key.virt = e.virt;
  key.virtual_port = e.virtual_port;
  return key;
}

uint32_t bucket_count_for(uint32_t capacity) {
  uint32_t n = 16;
  while (n < capacity) n <<= 1;
  return n;
}

}  // namespace

template <class A>
FamilyTable<A>::FamilyTable(uint32_t capacity, uint64_t seed)
    : capacity_(std::min(capacity, kNone - 1)), seed_(seed) {
  const uint32_t buckets = bucket_count_for(capacity_);
  mask_ = buckets - 1;
  slots_ = std::make_unique<Entry<A>[]>(capacity_);
  in_buckets_ = std::make_unique<std::atomic<uint32_t>[]>(buckets);
  out_buckets_ = std::make_unique<std::atomic<uint32_t>[]>(buckets);
  for (uint32_t b = 0; b < buckets; ++b) {
    in_buckets_[b].store(kNone, std::memory_order_relaxed);
    out_buckets_[b].store(kNone, std::memory_order_relaxed);
  }
  free_lists_ = std::make_unique<FreeList[]>(kFreeLists);
  // Pushed from the top so that each list hands out its lowest slots first.
  for (uint32_t i = capacity_; i-- > 0;) {
    FreeList& list = free_lists_[i % kFreeLists];
    slots_[i].in_next = list.head;
    list.head = i;
  }
}

template <class A>
FamilyTable<A>::~FamilyTable() {
  flush();
}

template <class A>
uint32_t FamilyTable<A>::lock(std::atomic<uint32_t>& bucket) {
  uint32_t v = bucket.load(std::memory_order_relaxed);
  for (;;) {
    if ((v & kLocked) == 0) {
      if (bucket.compare_exchange_weak(v, v | kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed))
        return v;
    } else {
      __builtin_ia32_pause();
      v = bucket.load(std::memory_order_relaxed);
    }
  }
}

template <class A>
uint64_t FamilyTable<A>::inbound_hash(const InKey<A>& key) const {
  uint64_t h = key.client.fold(seed_);
  h = key.virt.fold(h);
  return hash_combine(h, uint64_t{key.client_port} | (uint64_t{key.virtual_port} << 16) |
                             (uint64_t{key.protocol} << 32) | (uint64_t{key.kind} << 40));
}

template <class A>
uint64_t FamilyTable<A>::reply_hash(const OutKey<A>& key) const {
  uint64_t h = key.server.fold(~seed_);
  h = key.peer.fold(h);
  return hash_combine(h, uint64_t{key.server_port} | (uint64_t{key.peer_port} << 16) |
                             (uint64_t{key.protocol} << 32));
}

template <class A>
uint64_t FamilyTable<A>::reply_hash_of(const Entry<A>& e) const {
  return reply_hash(reply_key(e.protocol, e.method, e.server, e.server_port, e.client,
                              e.client_port, e.local, e.local_port));
}

template <class A>
void FamilyTable<A>::prefetch_bucket(uint64_t hash) const {
  __builtin_prefetch(&in_buckets_[hash & mask_]);
}

template <class A>
void FamilyTable<A>::prefetch_chain_head(uint64_t hash) const {
  const uint32_t head = in_buckets_[hash & mask_].load(std::memory_order_relaxed) & ~kLocked;
  if (head < capacity_) __builtin_prefetch(&slots_[head]);
}

template <class A>
void FamilyTable<A>::prefetch_chain_head(const std::atomic<uint32_t>& bucket,
                                         uint32_t unless) const {
  const uint32_t head = bucket.load(std::memory_order_relaxed) & ~kLocked;
  if (head < capacity_ && head != unless) __builtin_prefetch(&slots_[head]);
}

template <class A>
bool FamilyTable<A>::live(const Entry<A>& e, int64_t now_ns) const {
  const int64_t deadline = e.deadline_ns.load(std::memory_order_relaxed);
  if (!e.is_template()) return deadline > now_ns;
  if (e.state_word.load(std::memory_order_relaxed) & state_bit::invalid) return false;
  // ip_vs_conn_expire re-arms a template's timer while it controls connections.
  return deadline > now_ns || e.n_control.load(std::memory_order_relaxed) > 0;
}

template <class A>
uint32_t FamilyTable<A>::find_inbound(const InKey<A>& key, uint64_t hash, int64_t now_ns) {
  std::atomic<uint32_t>& bucket = in_buckets_[hash & mask_];
  const uint32_t head = lock(bucket);
  uint32_t found = kNone;
  for (uint32_t i = head; i != kNone; i = slots_[i].in_next) {
    Entry<A>& e = slots_[i];
    if (same_inbound(e, key) && live(e, now_ns)) {
      e.pins.fetch_add(1, std::memory_order_relaxed);
      found = i;
      break;
    }
  }
  unlock(bucket, head);
  return found;
}

template <class A>
uint32_t FamilyTable<A>::find_reply(const OutKey<A>& key, int64_t now_ns) {
  std::atomic<uint32_t>& bucket = out_buckets_[reply_hash(key) & mask_];
  const uint32_t head = lock(bucket);
  uint32_t found = kNone;
  for (uint32_t i = head; i != kNone; i = slots_[i].out_next) {
    Entry<A>& e = slots_[i];
    if (same_reply(e, key) && live(e, now_ns)) {
      e.pins.fetch_add(1, std::memory_order_relaxed);
      found = i;
      break;
    }
  }
  unlock(bucket, head);
  return found;
}

template <class A>
uint32_t FamilyTable<A>::allocate(uint64_t hint) {
  for (unsigned step = 0; step < kFreeLists; ++step) {
    FreeList& list = free_lists_[(hint + step) % kFreeLists];
    list.lock.lock();
    const uint32_t index = list.head;
    if (index != kNone) list.head = slots_[index].in_next;
    // The next allocation from this list reads the new head's link: fetch it now, while
    // the connection being created is set up.
    if (list.head != kNone) __builtin_prefetch(&slots_[list.head]);
    list.lock.unlock();
    if (index != kNone) {
      slots_[index].status.store(entry_status::allocated, std::memory_order_relaxed);
      return index;
    }
  }
  return kNone;
}

template <class A>
void FamilyTable<A>::release_slot(uint32_t index) {
  slots_[index].status.store(entry_status::free, std::memory_order_release);
  FreeList& list = free_lists_[index % kFreeLists];
  list.lock.lock();
  slots_[index].in_next = list.head;
  list.head = index;
  list.lock.unlock();
}

template <class A>
void FamilyTable<A>::unbind(Entry<A>& e) {
  if (e.is_template()) {
    e.destination->unbind_template();
    return;
  }
  const auto state =
      static_cast<TcpState>(e.state_word.load(std::memory_order_relaxed) & state_bit::state_mask);
  e.destination->unbind_connection(e.protocol == kTcp && is_active(state));
}

template <class A>
void FamilyTable<A>::advance_template_deadline(Entry<A>& tpl, int64_t past_ns) {
  const int64_t period = std::max<int64_t>(1, int64_t{tpl.control_or_timeout} * kNanosPerSecond);
  int64_t deadline = tpl.deadline_ns.load(std::memory_order_relaxed);
  while (deadline <= past_ns) {
    const int64_t periods = (past_ns - deadline) / period + 1;
    if (tpl.deadline_ns.compare_exchange_weak(deadline, deadline + periods * period,
                                              std::memory_order_relaxed))
      break;
  }
}

template <class A>
void FamilyTable<A>::release_control(const Entry<A>& e) {
  if (e.is_template() || e.control_or_timeout == 0) return;
  Entry<A>& tpl = slots_[e.control_or_timeout - 1];
  // The template's timer kept firing every period while it controlled this connection; it
  // fires next at the first period end after the connection ended.
  advance_template_deadline(tpl, e.deadline_ns.load(std::memory_order_relaxed));
  tpl.n_control.fetch_sub(1, std::memory_order_release);
}

template <class A>
typename FamilyTable<A>::Inserted FamilyTable<A>::insert(const NewEntry<A>& fields,
                                                         int64_t now_ns) {
  const uint64_t hash = inbound_hash(fields.key);
  // The reply bucket is a miss of its own in a large table: requested first, so that it
  // arrives while the entry is allocated and filled, the destination bound and the inbound
  // chain checked.
  const bool in_reply_index = indexes_replies(fields.key.kind, fields.method);
  uint64_t out_hash = 0;
  if (in_reply_index) {
    out_hash = reply_hash(reply_key(fields.key.protocol, fields.method, fields.server,
                                    fields.server_port, fields.key.client, fields.key.client_port,
                                    fields.local, fields.local_port));
    __builtin_prefetch(&out_buckets_[out_hash & mask_]);
  }
  const uint32_t index = allocate(hash);
  if (index == kNone) {
    full_failures_.fetch_add(1, std::memory_order_relaxed);
    return {};
  }
  Entry<A>& e = slots_[index];
  // Expiry's hints (expire_hints) may still be reading this slot's previous entry.
  store_relaxed(e.protocol, fields.key.protocol);
  store_relaxed(e.kind, fields.key.kind);
  store_relaxed(e.client_port, fields.key.client_port);
  store_relaxed(e.virtual_port, fields.key.virtual_port);
  if constexpr (std::is_same_v<A, Addr4>) {
    store_relaxed(e.client.raw, fields.key.client.raw);
    store_relaxed(e.virt.raw, fields.key.virt.raw);
  } else {
    e.client = fields.key.client;
    e.virt = fields.key.virt;
  }
  store_relaxed(e.server_port, fields.server_port);
  store_relaxed(e.local_port, fields.local_port);
  store_relaxed(e.method, fields.method);
  if constexpr (std::is_same_v<A, Addr4>) {
    store_relaxed(e.server.raw, fields.server.raw);
    store_relaxed(e.local.raw, fields.local.raw);
  } else {
    e.server = fields.server;
    e.local = fields.local;
  }
  e.control_or_timeout = fields.control_or_timeout;
  e.destination = fields.destination;
  e.state_word.store(fields.state_word, std::memory_order_relaxed);
  e.pins.store(1, std::memory_order_relaxed);
  e.n_control.store(0, std::memory_order_relaxed);
  e.deadline_ns.store(fields.deadline_ns, std::memory_order_relaxed);

  // ip_vs_bind_dest: a new connection is bound inactive; the protocol makes it active.
  e.destination->hold();
  if (e.is_template())
    e.destination->bind_template();
  else
    e.destination->bind_connection(false);
  Entry<A>* controller = nullptr;
  if (!e.is_template() && e.control_or_timeout != 0) {
    controller = &slots_[e.control_or_timeout - 1];
    controller->n_control.fetch_add(1, std::memory_order_relaxed);
  }

  std::atomic<uint32_t>& in_bucket = in_buckets_[hash & mask_];
  const uint32_t in_head = lock(in_bucket);
  for (uint32_t i = in_head; i != kNone; i = slots_[i].in_next) {
    Entry<A>& other = slots_[i];
    if (same_inbound(other, fields.key) && live(other, now_ns)) {
      // Another worker created it first: use theirs, undo ours.
      other.pins.fetch_add(1, std::memory_order_relaxed);
      unlock(in_bucket, in_head);
      if (controller) controller->n_control.fetch_sub(1, std::memory_order_release);
      unbind(e);
      e.destination->release();
      release_slot(index);
      return {i, false};
    }
  }
  if (in_reply_index) {
    std::atomic<uint32_t>& out_bucket = out_buckets_[out_hash & mask_];
    e.out_next = lock(out_bucket);
    unlock(out_bucket, index);
  }
  e.in_next = in_head;
  e.status.store(entry_status::linked, std::memory_order_release);
  linked_.fetch_add(1, std::memory_order_relaxed);
  unlock(in_bucket, index);
  return {index, true};
}

template <class A>
void FamilyTable<A>::unlink(uint32_t& head, uint32_t index, bool inbound) {
  auto next_of = [&](uint32_t i) -> uint32_t& {
    return inbound ? slots_[i].in_next : slots_[i].out_next;
  };
  if (head == index) {
    head = next_of(index);
    return;
  }
  for (uint32_t i = head; i != kNone; i = next_of(i)) {
    if (next_of(i) == index) {
      next_of(i) = next_of(index);
      return;
    }
  }
}

template <class A>
bool FamilyTable<A>::try_reclaim(uint32_t index, int64_t now_ns, Mode mode) {
  Entry<A>& e = slots_[index];
  if (e.status.load(std::memory_order_relaxed) != entry_status::linked) return false;
  if (mode == Mode::due && e.deadline_ns.load(std::memory_order_relaxed) > now_ns) return false;
  uint8_t expected = entry_status::linked;
  if (!e.status.compare_exchange_strong(expected, entry_status::reclaiming,
                                        std::memory_order_acquire, std::memory_order_relaxed))
    return false;
  // A template that still controls connections stays. Its deadline is not moved here: the
  // connections may be due themselves and merely not reclaimed yet. The last one to go moves
  // it to where IPVS's re-armed timer would fire next (release_control).
  if (mode == Mode::due && e.is_template() && e.n_control.load(std::memory_order_acquire) > 0) {
    e.status.store(entry_status::linked, std::memory_order_release);
    return false;
  }

  std::atomic<uint32_t>& in_bucket = in_buckets_[inbound_hash(inbound_key_of(e)) & mask_];
  uint32_t in_head = lock(in_bucket);
  std::atomic<uint32_t>* out_bucket = nullptr;
  uint32_t out_head = kNone;
  if (e.in_reply_index()) {
    out_bucket = &out_buckets_[reply_hash_of(e) & mask_];
    out_head = lock(*out_bucket);
  }
  const bool removable =
      e.pins.load(std::memory_order_acquire) == 0 &&
      (!e.is_template() || e.n_control.load(std::memory_order_acquire) == 0) &&
      (mode == Mode::forced || e.deadline_ns.load(std::memory_order_relaxed) <= now_ns);
  if (removable) {
    unlink(in_head, index, true);
    if (out_bucket) unlink(out_head, index, false);
  }
  if (out_bucket) unlock(*out_bucket, out_head);
  unlock(in_bucket, in_head);
  if (!removable) {
    e.status.store(entry_status::linked, std::memory_order_release);
    return false;
  }
  linked_.fetch_sub(1, std::memory_order_relaxed);
  unbind(e);
  release_control(e);
  e.destination->release();
  e.destination = nullptr;
  release_slot(index);
  return true;
}

// The entry may be reclaimed and its slot reused meanwhile (nothing is locked): the fields are
// read atomically, and the hashes are only where to prefetch. An IPv6 entry's addresses are 16
// bytes, not read here: it goes without hints.
template <class A>
bool FamilyTable<A>::expire_hints(uint32_t index, uint64_t& in_hash, bool& replies,
                                  uint64_t& out_hash) {
  if constexpr (std::is_same_v<A, Addr4>) {
    Entry<A>& e = slots_[index];
    InKey<A> in;
    in.protocol = load_relaxed(e.protocol);
    in.kind = load_relaxed(e.kind);
    in.client.raw = load_relaxed(e.client.raw);
    in.client_port = load_relaxed(e.client_port);
    in.virt.raw = load_relaxed(e.virt.raw);
    in.virtual_port = load_relaxed(e.virtual_port);
    in_hash = inbound_hash(in);
    const uint8_t method = load_relaxed(e.method);
    replies = indexes_replies(in.kind, method);
    if (replies) {
      A server, local;
      server.raw = load_relaxed(e.server.raw);
      local.raw = load_relaxed(e.local.raw);
      out_hash =
          reply_hash(reply_key(in.protocol, method, server, load_relaxed(e.server_port), in.client,
                               in.client_port, local, load_relaxed(e.local_port)));
    }
    return true;
  } else {
    (void)index;
    in_hash = 0;
    replies = false;
    out_hash = 0;
    return false;
  }
}

template <class A>
size_t FamilyTable<A>::expire(int64_t now_ns, size_t max_slots) {
  // An empty table has nothing due: its slots are not worth a pass over their cache lines.
  if (capacity_ == 0 || linked_.load(std::memory_order_relaxed) == 0) return 0;
  const uint64_t n = std::min<uint64_t>(max_slots, capacity_);
  const uint64_t start = cursor_.fetch_add(n, std::memory_order_relaxed);
  size_t removed = 0;
  constexpr uint64_t kGroup = 64;
  for (uint64_t base = 0; base < n; base += kGroup) {
    const uint64_t count = std::min(kGroup, n - base);
    // The due entries' buckets and the first entries of their chains are fetched for the whole
    // group before any is unlinked, so that their misses overlap. Only a hint: try_reclaim reads
    // everything again under the locks.
    uint32_t due[kGroup];
    uint64_t in_hash[kGroup];
    uint64_t out_hash[kGroup];
    bool replies[kGroup];
    bool hinted[kGroup];
    size_t due_count = 0;
    // Slots are walked with a wrapping index (a division per slot costs more than its miss),
    // all of them requested before the first is read.
    const auto first = static_cast<uint32_t>((start + base) % capacity_);
    auto index = first;
    for (uint64_t k = 0; k < count; ++k, index = index + 1 == capacity_ ? 0 : index + 1)
      __builtin_prefetch(&slots_[index]);
    index = first;
    for (uint64_t k = 0; k < count; ++k, index = index + 1 == capacity_ ? 0 : index + 1) {
      const Entry<A>& e = slots_[index];
      if (e.status.load(std::memory_order_relaxed) != entry_status::linked ||
          e.deadline_ns.load(std::memory_order_relaxed) > now_ns)
        continue;
      due[due_count] = index;
      hinted[due_count] =
          expire_hints(index, in_hash[due_count], replies[due_count], out_hash[due_count]);
      if (hinted[due_count]) {
        __builtin_prefetch(&in_buckets_[in_hash[due_count] & mask_]);
        if (replies[due_count]) __builtin_prefetch(&out_buckets_[out_hash[due_count] & mask_]);
      }
      ++due_count;
    }
    for (size_t j = 0; j < due_count; ++j) {
      if (!hinted[j]) continue;
      prefetch_chain_head(in_buckets_[in_hash[j] & mask_], due[j]);
      if (replies[j]) prefetch_chain_head(out_buckets_[out_hash[j] & mask_], due[j]);
    }
    for (size_t j = 0; j < due_count; ++j) removed += try_reclaim(due[j], now_ns, Mode::due);
  }
  return removed;
}

template <class A>
size_t FamilyTable<A>::expire_all_due(int64_t now_ns) {
  size_t total = 0;
  for (;;) {
    size_t removed = 0;
    for (uint32_t i = 0; i < capacity_; ++i) removed += try_reclaim(i, now_ns, Mode::due);
    total += removed;
    // A template freed by its last connection may have come earlier in this pass.
    if (removed == 0) return total;
  }
}

template <class A>
size_t FamilyTable<A>::flush() {
  size_t total = 0;
  for (;;) {
    size_t removed = 0;
    for (uint32_t i = 0; i < capacity_; ++i) removed += try_reclaim(i, 0, Mode::forced);
    total += removed;
    if (removed == 0) return total;
  }
}

template class FamilyTable<Addr4>;
template class FamilyTable<Addr6>;

}  // namespace vsd::conn

#include "dataplane/neighbour_table.h"

#include <bit>
#include <cstring>
#include <mutex>

#include "common/hash.h"

namespace vsd::dataplane {
namespace {

uint64_t mac_bits(const packet::MacAddress& mac) {
  uint64_t v = 0;
  for (uint8_t b : mac.bytes) v = (v << 8) | b;
  return v;
}

packet::MacAddress mac_from(uint64_t bits) {
  packet::MacAddress mac;
  for (int i = 5; i >= 0; --i) {
    mac.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(bits);
    bits >>= 8;
  }
  return mac;
}

uint64_t pack(const packet::MacAddress& mac, uint16_t interface, uint64_t family, uint64_t state) {
  return (mac_bits(mac) << 16) | (uint64_t{static_cast<uint8_t>(interface)} << 8) | (family << 4) |
         state;
}

}  // namespace

NeighbourTable::NeighbourTable(size_t capacity) {
  const size_t size = std::bit_ceil(capacity < kProbe ? kProbe : capacity);
  mask_ = size - 1;
  slots_ = std::make_unique<Slot[]>(size);
}

void NeighbourTable::split(const IpAddress& a, uint64_t& high, uint64_t& low) {
  std::memcpy(&high, a.bytes().data(), 8);
  std::memcpy(&low, a.bytes().data() + 8, 8);
}

size_t NeighbourTable::home(uint64_t high, uint64_t low) const {
  return static_cast<size_t>(hash_combine(mix64(high), low)) & mask_;
}

bool NeighbourTable::read(const Slot& slot, Decoded& out) const {
  for (;;) {
    const uint32_t before = slot.sequence.load(std::memory_order_acquire);
    if (before & 1u) continue;  // a writer is in the middle of it
    out.high = slot.address_high.load(std::memory_order_relaxed);
    out.low = slot.address_low.load(std::memory_order_relaxed);
    out.link = slot.link.load(std::memory_order_relaxed);
    out.requested_ns = slot.requested_ns.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (slot.sequence.load(std::memory_order_relaxed) == before) return (out.link & 0xf) != empty;
  }
}

std::optional<NeighbourTable::Neighbour> NeighbourTable::find(const IpAddress& address) const {
  uint64_t high;
  uint64_t low;
  split(address, high, low);
  const uint64_t family = family_bits(address);
  size_t i = home(high, low);
  for (size_t n = 0; n < kProbe; ++n, i = (i + 1) & mask_) {
    Decoded d;
    if (!read(slots_[i], d)) break;
    if (d.high != high || d.low != low || ((d.link >> 4) & 0xf) != family) continue;
    if ((d.link & 0xf) != resolved) break;
    return Neighbour{mac_from(d.link >> 16), static_cast<uint16_t>((d.link >> 8) & 0xff)};
  }
  misses_.fetch_add(1, std::memory_order_relaxed);
  return std::nullopt;
}

NeighbourTable::Slot& NeighbourTable::place(const IpAddress& address) {
  uint64_t high;
  uint64_t low;
  split(address, high, low);
  const uint64_t family = family_bits(address);
  const size_t start = home(high, low);
  size_t i = start;
  for (size_t n = 0; n < kProbe; ++n, i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    const uint64_t link = s.link.load(std::memory_order_relaxed);
    if ((link & 0xf) == empty) return slots_[i];
    if (s.address_high.load(std::memory_order_relaxed) == high &&
        s.address_low.load(std::memory_order_relaxed) == low && ((link >> 4) & 0xf) == family)
      return slots_[i];
  }
  return slots_[start];  // the neighbourhood is full: the newest entry wins its home slot
}

void NeighbourTable::write(Slot& slot, const IpAddress& address, uint64_t link,
                           int64_t requested_ns) {
  uint64_t high;
  uint64_t low;
  split(address, high, low);
  const uint32_t sequence = slot.sequence.load(std::memory_order_relaxed);
  slot.sequence.store(sequence + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  slot.address_high.store(high, std::memory_order_relaxed);
  slot.address_low.store(low, std::memory_order_relaxed);
  slot.link.store(link, std::memory_order_relaxed);
  slot.requested_ns.store(requested_ns, std::memory_order_relaxed);
  slot.sequence.store(sequence + 2, std::memory_order_release);
}

void NeighbourTable::learn(const IpAddress& address, const packet::MacAddress& mac,
                           uint16_t interface) {
  std::lock_guard guard(writer_);
  Slot& slot = place(address);
  const uint64_t link = pack(mac, interface, family_bits(address), resolved);
  uint64_t high;
  uint64_t low;
  split(address, high, low);
  if (slot.link.load(std::memory_order_relaxed) == link &&
      slot.address_high.load(std::memory_order_relaxed) == high &&
      slot.address_low.load(std::memory_order_relaxed) == low)
    return;  // nothing new: the workers' caches stay valid
  write(slot, address, link, 0);
  generation_.fetch_add(1, std::memory_order_release);
}

bool NeighbourTable::want(const IpAddress& address, uint16_t interface, Instant now,
                          Duration retry) {
  std::lock_guard guard(writer_);
  Slot& slot = place(address);
  const uint64_t link = slot.link.load(std::memory_order_relaxed);
  uint64_t high;
  uint64_t low;
  split(address, high, low);
  const bool mine = (link & 0xf) != empty &&
                    slot.address_high.load(std::memory_order_relaxed) == high &&
                    slot.address_low.load(std::memory_order_relaxed) == low &&
                    ((link >> 4) & 0xf) == family_bits(address);
  if (mine && (link & 0xf) == resolved) return false;  // learnt meanwhile
  const int64_t now_ns = now.time_since_epoch().count();
  if (mine && now_ns - slot.requested_ns.load(std::memory_order_relaxed) < retry.count())
    return false;
  // Taking over a slot that resolved another address: cached copies of it must go.
  if ((link & 0xf) == resolved) generation_.fetch_add(1, std::memory_order_release);
  write(slot, address, pack(packet::MacAddress{}, interface, family_bits(address), incomplete),
        now_ns);
  return true;
}

std::vector<IpAddress> NeighbourTable::unresolved() const {
  std::vector<IpAddress> out;
  for (size_t i = 0; i <= mask_; ++i) {
    Decoded d;
    if (!read(slots_[i], d) || (d.link & 0xf) != incomplete) continue;
    std::array<uint8_t, 16> bytes;
    std::memcpy(bytes.data(), &d.high, 8);
    std::memcpy(bytes.data() + 8, &d.low, 8);
    if (((d.link >> 4) & 0xf) == 4) {
      out.push_back(IpAddress::v4((uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
                                  (uint32_t{bytes[2]} << 8) | bytes[3]));
    } else {
      out.push_back(IpAddress::v6(bytes));
    }
  }
  return out;
}

}  // namespace vsd::dataplane

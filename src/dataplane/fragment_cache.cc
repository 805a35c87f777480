#include "dataplane/fragment_cache.h"

#include <bit>
#include <cstring>

#include "common/hash.h"

namespace vsd::dataplane {

FragmentCache::FragmentCache(size_t capacity, Duration timeout) : timeout_(timeout) {
  const size_t size = std::bit_ceil(capacity < 16 ? size_t{16} : capacity);
  mask_ = size - 1;
  slots_ = std::make_unique<Slot[]>(size);
}

size_t FragmentCache::index(const Key& key) const {
  uint64_t h = hash_bytes(key.source.bytes().data(), 16, key.id);
  h = hash_bytes(key.destination.bytes().data(), 16, h ^ key.protocol);
  return static_cast<size_t>(h) & mask_;
}

void FragmentCache::remember(const Key& key, const conn::InboundKey& flow, Instant now) {
  Slot& s = slots_[index(key)];
  s.key = key;
  s.flow = flow;
  s.expires = now + timeout_;
  s.used = true;
}

const conn::InboundKey* FragmentCache::find(const Key& key, Instant now) const {
  const Slot& s = slots_[index(key)];
  if (!s.used || now >= s.expires || !(s.key == key)) return nullptr;
  return &s.flow;
}

}  // namespace vsd::dataplane

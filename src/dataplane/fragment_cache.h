#pragma once

#include <cstdint>
#include <memory>

#include "common/address.h"
#include "common/time.h"
#include "conn/connection_table.h"

namespace vsd::dataplane {

// The decision a first fragment got, for the fragments of the same datagram that follow it
// (they carry no ports). One per worker: fragments of a datagram share their addresses, so a
// flow hash that spreads packets over workers keeps them together. Direct-mapped, fixed size;
// an entry lives `timeout` (a collision replaces the older datagram's entry: its later fragments
// are then counted and dropped).
class FragmentCache {
 public:
  struct Key {
    IpAddress source;
    IpAddress destination;
    uint32_t id = 0;
    uint8_t protocol = 0;
    friend bool operator==(const Key&, const Key&) = default;
  };

  FragmentCache(size_t capacity, Duration timeout);
  void remember(const Key& key, const conn::InboundKey& flow, Instant now);
  // The connection the datagram belongs to, or nullptr.
  const conn::InboundKey* find(const Key& key, Instant now) const;

 private:
  struct Slot {
    Key key;
    conn::InboundKey flow;
    Instant expires{};
    bool used = false;
  };
  size_t index(const Key& key) const;

  size_t mask_ = 0;
  Duration timeout_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace vsd::dataplane

#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "packet/byte_order.h"

namespace vsd::packet {

template <class B>
concept FrameByte = std::same_as<B, uint8_t> || std::same_as<B, const uint8_t>;

// Base of the header views: a pointer to the first byte of a header whose fixed part the parser
// has seen inside the frame. Views over `const uint8_t` read; views over `uint8_t` also write.
// Construct them through the factories next to each view (ipv4_header(frame, parsed), ...),
// which check the parse result and the frame's size, not from a raw pointer.
template <FrameByte B>
class HeaderView {
 public:
  explicit HeaderView(B* bytes) : p_(bytes) {}
  B* data() const { return p_; }

 protected:
  static constexpr bool kWritable = !std::is_const_v<B>;
  uint16_t u16(size_t offset) const { return load_be16(p_ + offset); }
  uint32_t u32(size_t offset) const { return load_be32(p_ + offset); }
  void put16(size_t offset, uint16_t v) const requires kWritable { store_be16(p_ + offset, v); }
  void put32(size_t offset, uint32_t v) const requires kWritable { store_be32(p_ + offset, v); }

  B* p_;
};

}  // namespace vsd::packet

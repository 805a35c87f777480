#pragma once

#include <cstdint>
#include <span>

namespace vsd::xmit {

// One frame inside a buffer with room in front of it: the tunnelling method prepends an outer IP
// header in place instead of copying the packet. The buffer belongs to the packet I/O backend
// (a ring slot, a UMEM frame, a replay buffer); this class only tracks where the frame lies.
class PacketBuffer {
 public:
  PacketBuffer() = default;
  PacketBuffer(std::span<uint8_t> storage, uint32_t offset, uint32_t length)
      : storage_(storage), offset_(offset), length_(length) {}

  std::span<uint8_t> frame() const { return storage_.subspan(offset_, length_); }
  std::span<uint8_t> storage() const { return storage_; }
  uint32_t offset() const { return offset_; }
  uint32_t length() const { return length_; }
  uint32_t headroom() const { return offset_; }
  uint32_t capacity_after_offset() const {
    return static_cast<uint32_t>(storage_.size()) - offset_;
  }

  // Moves the start of the frame `bytes` earlier (grow) or later (shrink); false, changing
  // nothing, when that leaves the buffer.
  bool grow_front(uint32_t bytes) {
    if (bytes > offset_) return false;
    offset_ -= bytes;
    length_ += bytes;
    return true;
  }
  bool shrink_front(uint32_t bytes) {
    if (bytes > length_) return false;
    offset_ += bytes;
    length_ -= bytes;
    return true;
  }
  bool set_length(uint32_t length) {
    if (length > capacity_after_offset()) return false;
    length_ = length;
    return true;
  }
  // The frame now starts at `offset` and is `length` bytes long (a reply built in place).
  bool reset(uint32_t offset, uint32_t length) {
    if (offset > storage_.size() || length > storage_.size() - offset) return false;
    offset_ = offset;
    length_ = length;
    return true;
  }

 private:
  std::span<uint8_t> storage_;
  uint32_t offset_ = 0;
  uint32_t length_ = 0;
};

}  // namespace vsd::xmit

#pragma once

#include <cstdint>
#include <span>

// The Internet checksum (RFC 1071). Sums are kept as host-order values of the big-endian 16-bit
// words, folded to 16 bits and not complemented; finish() complements. Sums of pieces add with
// checksum_accumulate's `sum` argument as long as every piece but the last has an even length.
namespace vsd::packet {

// Folds a wide one's-complement sum to 16 bits (end-around carries).
constexpr uint16_t checksum_fold(uint64_t sum) {
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffffffu) + (sum >> 32);
  sum = (sum & 0xffffu) + (sum >> 16);
  sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

constexpr uint16_t checksum_finish(uint64_t sum) {
  return static_cast<uint16_t>(~checksum_fold(sum));
}

// sum + the bytes, eight at a time in native order with 64-bit accumulation (the one's-complement
// sum does not depend on byte order, RFC 1071 section 2(B), so one swap at the end suffices).
uint16_t checksum_accumulate(std::span<const uint8_t> bytes, uint32_t sum = 0);

inline uint16_t internet_checksum(std::span<const uint8_t> bytes) {
  return checksum_finish(checksum_accumulate(bytes));
}

// TCP/UDP pseudo-headers: RFC 793/768 for IPv4 (addresses in host order), RFC 8200 8.1 for IPv6
// (addresses as 16 network-order bytes). `length` is the upper-layer length.
uint16_t pseudo_header_sum_v4(uint32_t source, uint32_t destination, uint8_t protocol,
                              uint32_t length);
uint16_t pseudo_header_sum_v6(const uint8_t* source, const uint8_t* destination, uint32_t length,
                              uint8_t next_header);

}  // namespace vsd::packet

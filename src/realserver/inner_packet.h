#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/address.h"

namespace vsd::realserver {

// Why a tunnelled packet was not handed to the kernel; each has a counter in the decapsulator.
enum class DecapVerdict : uint8_t {
  deliver,
  truncated_outer,     // shorter than the outer IPv4 header it announces
  not_ipip,            // outer protocol is not 4 (the raw socket should never give us one)
  truncated_inner,     // inner header missing or shorter than its own length field
  wrong_inner_family,  // IPv6 inside IPv4 or the reverse: IPVS never builds those
  not_for_vip,         // inner destination is not the virtual address this server answers for
};

struct Decapsulated {
  DecapVerdict verdict = DecapVerdict::truncated_outer;
  std::span<const std::byte> inner;  // the packet to write into the TUN device when deliver
};

// An IPv4 raw socket of protocol 4 reads whole datagrams, outer header included (IPVS -i, RFC
// 2003).
Decapsulated decapsulate_ipip(std::span<const std::byte> outer_datagram, const IpAddress& vip);

// An IPv6 raw socket of next header 41 reads the payload only: the kernel has already removed the
// outer header and its extension headers, so what is left is the inner IPv6 packet (RFC 2473).
Decapsulated check_ip6ip6_payload(std::span<const std::byte> payload, const IpAddress& vip);

const char* verdict_name(DecapVerdict verdict);

}  // namespace vsd::realserver

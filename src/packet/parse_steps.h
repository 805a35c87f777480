#pragma once

// The parser's internal steps, one file each; not part of the module's interface.
#include <cstddef>
#include <cstdint>

#include "packet/parsed_packet.h"

namespace vsd::packet::detail {

enum class ParseMode : uint8_t { full, quoted };

// Each step starts at the offset the previous one recorded in `p` and either fills its layer in
// or sets p.status. `size` is the number of readable bytes at `data`.
void parse_ipv4(const uint8_t* data, size_t size, ParsedPacket& p, ParseMode mode);
void parse_ipv6(const uint8_t* data, size_t size, ParsedPacket& p, ParseMode mode);
void parse_l4(const uint8_t* data, size_t size, ParsedPacket& p, ParseMode mode);

}  // namespace vsd::packet::detail

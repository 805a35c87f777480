#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace vsd::packet {

namespace ipv4_option {
inline constexpr uint8_t end_of_list = 0;
inline constexpr uint8_t no_operation = 1;
inline constexpr uint8_t record_route = 7;
inline constexpr uint8_t timestamp = 68;
inline constexpr uint8_t loose_source_route = 131;
inline constexpr uint8_t strict_source_route = 137;
inline constexpr uint8_t router_alert = 148;
}  // namespace ipv4_option

// RFC 791 option list framing: END stops the list, NOP is one byte, every other option is
// type, length (>= 2, within the list), data. Linux (ip_options_compile) drops a packet whose
// framing is broken; so does our parser.
bool ipv4_options_well_formed(std::span<const uint8_t> options);

// The first option of `type` (its type and length bytes included), if the list holds one.
std::optional<std::span<const uint8_t>> find_ipv4_option(std::span<const uint8_t> options,
                                                         uint8_t type);

}  // namespace vsd::packet

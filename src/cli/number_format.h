#pragma once

#include <cstdint>
#include <string>

namespace vsd::cli {

// A counter as ipvsadm's print_largenum() shows it in the --stats and --rate columns: always
// with a leading space; right-aligned in 9 columns below 100 million, else scaled down by steps
// of 1000 to 8 digits and a K/M/G/T suffix. With --exact the full number, at least 9 wide.
std::string format_large_number(uint64_t value, bool exact);

}  // namespace vsd::cli

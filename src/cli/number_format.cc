#include "cli/number_format.h"

#include "cli/append_printf.h"

namespace vsd::cli {

std::string format_large_number(uint64_t value, bool exact) {
  std::string out;
  const auto v = static_cast<unsigned long long>(value);
  if (exact) {
    const int digits = static_cast<int>(std::to_string(value).size());
    append_printf(out, "%*llu", digits <= 8 ? 9 : digits + 1, v);
    return out;
  }
  // The thresholds are ipvsadm's: each unit is used until the scaled value would need 9 digits
  // (K and M switch earlier, at 1e9 and 1e11, exactly as ipvsadm does).
  if (v < 100000000ULL)
    append_printf(out, "%9llu", v);
  else if (v < 1000000000ULL)
    append_printf(out, "%8lluK", v / 1000ULL);
  else if (v < 100000000000ULL)
    append_printf(out, "%8lluM", v / 1000000ULL);
  else if (v < 100000000000000ULL)
    append_printf(out, "%8lluG", v / 1000000000ULL);
  else
    append_printf(out, "%8lluT", v / 1000000000000ULL);
  return out;
}

}  // namespace vsd::cli

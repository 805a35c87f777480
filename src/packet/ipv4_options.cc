#include "packet/ipv4_options.h"

namespace vsd::packet {
namespace {

// Walks the list; calls visit(type, option bytes) for each option other than NOP. Returns false
// on broken framing.
template <class Visit>
bool walk(std::span<const uint8_t> options, Visit&& visit) {
  size_t i = 0;
  while (i < options.size()) {
    const uint8_t type = options[i];
    if (type == ipv4_option::end_of_list) return true;
    if (type == ipv4_option::no_operation) {
      ++i;
      continue;
    }
    if (options.size() - i < 2) return false;
    const uint8_t length = options[i + 1];
    if (length < 2 || length > options.size() - i) return false;
    if (visit(type, options.subspan(i, length))) return true;
    i += length;
  }
  return true;
}

}  // namespace

bool ipv4_options_well_formed(std::span<const uint8_t> options) {
  return walk(options, [](uint8_t, std::span<const uint8_t>) { return false; });
}

std::optional<std::span<const uint8_t>> find_ipv4_option(std::span<const uint8_t> options,
                                                         uint8_t type) {
  std::optional<std::span<const uint8_t>> found;
  walk(options, [&](uint8_t t, std::span<const uint8_t> option) {
    if (t == type) found = option;
    return found.has_value();
  });
  return found;
}

}  // namespace vsd::packet

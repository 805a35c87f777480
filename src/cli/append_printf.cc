#include "cli/append_printf.h"

#include <cstdarg>
#include <cstdio>

namespace vsd::cli {

void append_printf(std::string& out, const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list measure;
  va_copy(measure, args);
  const int needed = std::vsnprintf(nullptr, 0, format, measure);
  va_end(measure);
  if (needed > 0) {
    const size_t old_size = out.size();
    out.resize(old_size + static_cast<size_t>(needed) + 1);
    std::vsnprintf(out.data() + old_size, static_cast<size_t>(needed) + 1, format, args);
    out.resize(old_size + static_cast<size_t>(needed));
  }
  va_end(args);
}

}  // namespace vsd::cli

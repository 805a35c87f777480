#pragma once

#include <string>

namespace vsd::cli {

// printf into the end of a string. ipvsadm's output is defined by printf conversions (%-28s,
// %8llu, ...); using the same conversions keeps every column byte-identical.
void append_printf(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));

}  // namespace vsd::cli

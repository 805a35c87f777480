#pragma once

#include <string>

namespace vsd::cli {

// ipvsadm -v: ipvsadm 1.31's version line, unchanged, since scripts parse it.
std::string version_text();

// ipvsadm -h: the version line and ipvsadm 1.31's help, with `program` (argv[0]) in the synopsis.
std::string usage_text(const std::string& program);

// What ipvsadm prints (to stderr) when the first option is not a command or popt fails on it.
std::string try_help_text(const std::string& program);

}  // namespace vsd::cli

#pragma once

#include <string>
#include <vector>

#include "config/lexer.h"

namespace vsd::config {

// Problems found while reading a configuration, each as "file:line: message". Errors make the
// whole file unusable (it is rejected and the running configuration stays); warnings, like
// keepalived's for unknown keywords, do not.
class Diagnostics {
 public:
  void error(const SourceLocation& where, const std::string& message) {
    errors_.push_back(to_string(where) + ": " + message);
  }
  void warning(const SourceLocation& where, const std::string& message) {
    warnings_.push_back(to_string(where) + ": " + message);
  }
  void add_warning(std::string located_message) { warnings_.push_back(std::move(located_message)); }
  void add_error(std::string located_message) { errors_.push_back(std::move(located_message)); }
  bool ok() const { return errors_.empty(); }
  const std::vector<std::string>& errors() const { return errors_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::vector<std::string> errors_;
  std::vector<std::string> warnings_;
};

}  // namespace vsd::config

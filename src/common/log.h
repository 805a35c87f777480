#pragma once

#include <string>
#include <string_view>

namespace vsd {

// Where the daemon's messages go: syslog (journald picks it up) or, with -l, the console.
// One Logger is made by the daemon's main and passed to whoever logs; there is no global one.
class Logger {
 public:
  enum class Sink { syslog, console };
  enum class Level { error, warning, info, detail };

  Logger(std::string ident, Sink sink, bool detailed);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void error(std::string_view message) { write(Level::error, message); }
  void warning(std::string_view message) { write(Level::warning, message); }
  void info(std::string_view message) { write(Level::info, message); }
  // Only with -D (keepalived's --log-detail).
  void detail(std::string_view message) {
    if (detailed_) write(Level::detail, message);
  }

 private:
  void write(Level level, std::string_view message);
  std::string ident_;
  Sink sink_;
  bool detailed_;
};

}  // namespace vsd

#include "common/log.h"

#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace vsd {

Logger::Logger(std::string ident, Sink sink, bool detailed)
    : ident_(std::move(ident)), sink_(sink), detailed_(detailed) {
  if (sink_ == Sink::syslog) openlog(ident_.c_str(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

Logger::~Logger() {
  if (sink_ == Sink::syslog) closelog();
}

void Logger::write(Level level, std::string_view message) {
  if (sink_ == Sink::syslog) {
    const int priority = level == Level::error     ? LOG_ERR
                         : level == Level::warning ? LOG_WARNING
                         : level == Level::info    ? LOG_INFO
                                                   : LOG_DEBUG;
    syslog(priority, "%.*s", static_cast<int>(message.size()), message.data());
    return;
  }
  // keepalived -l prints the local time first; so do we, with the process id.
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::strftime(stamp, sizeof(stamp), "%a %b %e %H:%M:%S %Y", &local);
  std::fprintf(stderr, "%s: %s[%d]: %.*s\n", stamp, ident_.c_str(), static_cast<int>(getpid()),
               static_cast<int>(message.size()), message.data());
}

}  // namespace vsd

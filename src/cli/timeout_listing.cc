#include "cli/timeout_listing.h"

#include "cli/append_printf.h"

namespace vsd::cli {

std::string format_timeouts(const Timeouts& timeouts) {
  std::string out;
  append_printf(out, "Timeout (tcp tcpfin udp): %d %d %d\n", timeouts.tcp, timeouts.tcp_fin,
                timeouts.udp);
  return out;
}

}  // namespace vsd::cli

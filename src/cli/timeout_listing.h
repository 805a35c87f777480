#pragma once

#include <string>

namespace vsd::cli {

// The three timeouts ipvsadm --set changes, in seconds (0 = unchanged when setting).
struct Timeouts {
  int tcp = 900;
  int tcp_fin = 120;
  int udp = 300;
};

// ipvsadm -L --timeout (list_timeout): "Timeout (tcp tcpfin udp): 900 120 300\n".
std::string format_timeouts(const Timeouts& timeouts);

}  // namespace vsd::cli

#pragma once

#include <iosfwd>
#include <string>

#include "config/lexer.h"

namespace vsd::daemon {

// vsd -f FILE --pcap-in IN --pcap-out OUT: loads FILE as at start (services, timeouts, the
// dataplane block), runs the data plane over IN with time taken from the packets, writes what
// it would transmit to OUT, and prints what happened to each packet (counters) on `report`.
// Returns the process exit status.
int run_offline_replay(const std::string& config_path, const config::LexOptions& lex,
                       const std::string& pcap_in, const std::string& pcap_out,
                       std::ostream& report);

}  // namespace vsd::daemon

#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace vsd::daemon {

// vsd's command line: keepalived's flags, plus --socket for the control socket.
struct Options {
  std::optional<std::string> config_file;  // -f/--use-file
  bool foreground = false;                 // -n/--dont-fork
  bool log_console = false;                // -l/--log-console
  bool log_detail = false;                 // -D/--log-detail
  bool config_test = false;                // -t/--config-test[=FILE]
  std::optional<std::string> pid_file;     // -p/--pid
  std::optional<std::string> socket;       // --socket
  std::optional<std::string> config_id;    // -i/--config-id
  std::optional<std::string> pcap_in;      // --pcap-in: offline replay of a capture
  std::optional<std::string> pcap_out;     // --pcap-out: what the data plane would send
  bool help = false;                       // -h/--help
  bool version = false;                    // -v/--version
};

Result<Options> parse_options(const std::vector<std::string>& args);
std::string usage();

// /etc/vsd/vsd.conf if it exists, else /etc/keepalived/keepalived.conf if that exists.
std::optional<std::string> default_config_file();

}  // namespace vsd::daemon

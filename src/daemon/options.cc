#include "daemon/options.h"

#include <unistd.h>

#include <cerrno>

namespace vsd::daemon {

namespace {

// "--name=value" or "--name value" / "-x value" / "-xvalue".
struct ArgReader {
  const std::vector<std::string>& args;
  size_t i = 0;

  std::optional<std::string> value(const std::string& arg, const std::string& long_name,
                                   const std::string& short_name, bool optional_value,
                                   bool& matched) {
    matched = false;
    if (arg == long_name || arg == short_name) {
      matched = true;
      if (optional_value) return std::nullopt;  // optional values only attach with '='
      if (i + 1 < args.size()) return args[++i];
      return std::nullopt;
    }
    if (arg.rfind(long_name + "=", 0) == 0) {
      matched = true;
      return arg.substr(long_name.size() + 1);
    }
    if (!short_name.empty() && !optional_value && arg.size() > 2 && arg.rfind(short_name, 0) == 0 &&
        arg[1] != '-') {
      matched = true;
      return arg.substr(2);
    }
    return std::nullopt;
  }
};

}  // namespace

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  ArgReader r{args};
  for (r.i = 0; r.i < args.size(); ++r.i) {
    const std::string& a = args[r.i];
    bool matched = false;
    if (a == "-n" || a == "--dont-fork") {
      o.foreground = true;
      continue;
    }
    if (a == "-l" || a == "--log-console") {
      o.log_console = true;
      continue;
    }
    if (a == "-D" || a == "--log-detail") {
      o.log_detail = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      o.help = true;
      continue;
    }
    if (a == "-v" || a == "--version") {
      o.version = true;
      continue;
    }
    if (auto v = r.value(a, "--config-test", "-t", /*optional_value=*/true, matched); matched) {
      o.config_test = true;
      if (v) o.config_file = v;
      continue;
    }
    struct Valued {
      const char* long_name;
      const char* short_name;
      std::optional<std::string>* target;
    } valued[] = {{"--use-file", "-f", &o.config_file}, {"--pid", "-p", &o.pid_file},
                  {"--socket", "", &o.socket},          {"--config-id", "-i", &o.config_id},
                  {"--pcap-in", "", &o.pcap_in},        {"--pcap-out", "", &o.pcap_out}};
    bool handled = false;
    for (const auto& option : valued) {
      auto v = r.value(a, option.long_name, option.short_name, false, matched);
      if (!matched) continue;
      if (!v || v->empty())
        return Error{std::string("option ") + option.long_name + " needs a value", EINVAL};
      *option.target = *v;
      handled = true;
      break;
    }
    if (!handled) return Error{"unknown option '" + a + "' (see vsd --help)", EINVAL};
  }
  if (o.pcap_in.has_value() != o.pcap_out.has_value())
    return Error{"--pcap-in and --pcap-out go together", EINVAL};
  return o;
}

std::string usage() {
  return "Usage: vsd [OPTION...]\n"
         "  -f, --use-file=FILE      configuration file (default /etc/vsd/vsd.conf, else\n"
         "                           /etc/keepalived/keepalived.conf)\n"
         "  -n, --dont-fork          stay in the foreground\n"
         "  -l, --log-console        log to the console instead of syslog\n"
         "  -D, --log-detail         detailed log messages\n"
         "  -t, --config-test[=FILE] check the configuration and exit (non-zero on error)\n"
         "  -p, --pid=FILE           write the daemon's process id to FILE\n"
         "  -i, --config-id=ID       the id that '@ID' conditional lines are matched against\n"
         "      --socket=PATH        control socket (default $VSD_SOCKET, else /run/vsd/vsd.sock)\n"
         "      --pcap-in=IN.pcap    offline: run the data plane over a capture (time from the\n"
         "                           packets) and exit; needs --pcap-out and a dataplane block\n"
         "      --pcap-out=OUT.pcap  offline: where the frames vsd would transmit are written\n"
         "  -v, --version            print the version and exit\n"
         "  -h, --help               print this help and exit\n"
         "Signals: SIGHUP reloads the configuration, SIGTERM and SIGINT stop.\n";
}

std::optional<std::string> default_config_file() {
  for (const char* path : {"/etc/vsd/vsd.conf", "/etc/keepalived/keepalived.conf"})
    if (access(path, R_OK) == 0) return std::string(path);
  return std::nullopt;
}

}  // namespace vsd::daemon

#include "cli/option_rules.h"

#include <array>

namespace vsd::cli {

namespace {

constexpr std::array<const char*, 14> kCommandNames = {
    "add-service", "edit-service",  "delete-service", "flush", "list",
    "add-server",  "delete-server", "edit-server",    "set",   "start-daemon",
    "stop-daemon", "restore",       "save",           "zero"};

constexpr std::array<const char*, kOptionCount> kOptionNames = {"numeric",
                                                                "connection",
                                                                "service-address",
                                                                "scheduler",
                                                                "persistent",
                                                                "netmask",
                                                                "real-server",
                                                                "forwarding-method",
                                                                "weight",
                                                                "u-threshold",
                                                                "l-threshold",
                                                                "mcast-interface",
                                                                "timeout",
                                                                "daemon",
                                                                "stats",
                                                                "rate",
                                                                "thresholds",
                                                                "persistent-conn",
                                                                "nosort",
                                                                "syncid",
                                                                "exact",
                                                                "ops",
                                                                "pe",
                                                                "sched-flags",
                                                                "mcast-group",
                                                                "mcast-port",
                                                                "mcast-ttl",
                                                                "sync-maxlen",
                                                                "tun-info",
                                                                "tun-type",
                                                                "tun-port",
                                                                "tun-nocsum",
                                                                "tun-csum",
                                                                "tun-remcsum"};

// One row per command, one column per option in Opt order: '+' required, 'x' refused,
// '1' at most one of the '1' columns, ' ' allowed. The same legality as ipvsadm 1.31's
// commands_v_options table.
constexpr std::array<const char*, 14> kCommandOptions = {
    "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",  // add-service
    "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx",  // edit-service
    "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // delete-service
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // flush
    " 11xxxxxxxxx11       xxxxxxx xxxxx",  // list
    "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",  // add-server
    "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx",  // delete-server
    "xx+xxx+    xxxxxxxxxxxxxxxxxx     ",  // edit-server
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // set
    "xxxxxxxxxxx xxxxxxx xxxx    xxxxxx",  // start-daemon
    "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx",  // stop-daemon
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // restore
    " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // save
    "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",  // zero
};

// Tunnel options in the order ipvsadm checks them, and per tunnel type (ipip, gue, gre) the
// same marks as above.
constexpr std::array<Opt, 4> kTunnelOptions = {Opt::tun_port, Opt::tun_nocsum, Opt::tun_csum,
                                               Opt::tun_remcsum};
constexpr std::array<const char*, 3> kTunnelRules = {"xxxx", "+111", "x11x"};
constexpr std::array<const char*, 3> kTunnelNames = {"ipip", "gue", "gre"};

}  // namespace

const char* command_name(CommandKind command) {
  return kCommandNames[static_cast<size_t>(command)];
}

const char* option_name(Opt option) {
  return kOptionNames[static_cast<size_t>(option)];
}

std::optional<std::string> check_command_options(CommandKind command, const OptionSet& options) {
  const char* rules = kCommandOptions[static_cast<size_t>(command)];
  const std::string command_text = command_name(command);
  std::optional<Opt> exclusive;
  for (int j = 0; j < kOptionCount; ++j) {
    const Opt o = static_cast<Opt>(j);
    const char rule = rules[j];
    if (!options.has(o)) {
      if (rule == '+')
        return "You need to supply the '" + std::string(option_name(o)) + "' option for the '" +
               command_text + "' command";
      continue;
    }
    if (rule == 'x')
      return "Illegal '" + std::string(option_name(o)) + "' option with the '" + command_text +
             "' command";
    if (rule == '1') {
      if (!exclusive) {
        exclusive = o;
        continue;
      }
      return "The option '" + std::string(option_name(o)) + "' conflicts with the '" +
             option_name(*exclusive) + "' option in the '" + command_text + "' command";
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_tunnel_options(TunnelType type, const OptionSet& options) {
  const size_t t = static_cast<size_t>(type);
  const std::string type_text = kTunnelNames[t];
  std::optional<Opt> exclusive;
  for (size_t j = 0; j < kTunnelOptions.size(); ++j) {
    const Opt o = kTunnelOptions[j];
    const char rule = kTunnelRules[t][j];
    if (!options.has(o)) {
      if (rule == '+')
        return "You need to supply the '" + std::string(option_name(o)) + "' option for the '" +
               type_text + "' tunnel type";
      continue;
    }
    if (rule == 'x')
      return "Illegal '" + std::string(option_name(o)) + "' option with the '" + type_text +
             "' tunnel type";
    if (rule == '1') {
      if (!exclusive) {
        exclusive = o;
        continue;
      }
      return "The option '" + std::string(option_name(o)) + "' conflicts with the '" +
             option_name(*exclusive) + "' option in the '" + type_text + "' tunnel type";
    }
  }
  return std::nullopt;
}

}  // namespace vsd::cli

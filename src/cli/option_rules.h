#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli/listing_rows.h"

namespace vsd::cli {

// ipvsadm's commands, in the order of its command table.
enum class CommandKind {
  add_service,
  edit_service,
  delete_service,
  flush,
  list,
  add_server,
  delete_server,
  edit_server,
  set_timeouts,
  start_daemon,
  stop_daemon,
  restore,
  save,
  zero,
};

// ipvsadm's options, in the order (and so with the bit numbers) of its option table: its errors
// name the first offending option in this order.
enum class Opt {
  numeric,
  connection,
  service,
  scheduler,
  persistent,
  netmask,
  server,
  forward,
  weight,
  u_threshold,
  l_threshold,
  mcast_interface,
  timeout,
  daemon,
  stats,
  rate,
  thresholds,
  persistent_conn,
  nosort,
  syncid,
  exact,
  ops,
  pe,
  sched_flags,
  mcast_group,
  mcast_port,
  mcast_ttl,
  sync_maxlen,
  tun_info,
  tun_type,
  tun_port,
  tun_nocsum,
  tun_csum,
  tun_remcsum,
};
inline constexpr int kOptionCount = 34;

// A set of Opt, one bit each.
class OptionSet {
 public:
  bool has(Opt o) const { return bits_ & bit(o); }
  void add(Opt o) { bits_ |= bit(o); }
  bool any_of(std::initializer_list<Opt> opts) const {
    for (Opt o : opts)
      if (has(o)) return true;
    return false;
  }

 private:
  static uint64_t bit(Opt o) { return uint64_t{1} << static_cast<int>(o); }
  uint64_t bits_ = 0;
};

// The words ipvsadm's messages use: "add-service", "service-address", ...
const char* command_name(CommandKind command);
const char* option_name(Opt option);

// ipvsadm's generic_opt_check(): options a command requires, forbids, or allows only one of.
// Returns the message ipvsadm prints (exit status 2), or nullopt when the combination is legal.
std::optional<std::string> check_command_options(CommandKind command, const OptionSet& options);

// ipvsadm's tunnel_opt_check(): which of --tun-port/--tun-nocsum/--tun-csum/--tun-remcsum each
// tunnel type needs or refuses.
std::optional<std::string> check_tunnel_options(TunnelType type, const OptionSet& options);

}  // namespace vsd::cli

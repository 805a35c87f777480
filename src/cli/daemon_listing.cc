#include "cli/daemon_listing.h"

#include "cli/append_printf.h"

namespace vsd::cli {

namespace {

void append_daemon(std::string& out, const char* role, const SyncDaemonStatus& d) {
  append_printf(out, "%s sync daemon (mcast=%s, syncid=%u", role, d.mcast_interface.c_str(),
                d.syncid);
  if (d.sync_maxlen) append_printf(out, ", maxlen=%u", d.sync_maxlen);
  if (d.mcast_group) out += ", group=" + d.mcast_group->to_string();
  if (d.mcast_port) append_printf(out, ", port=%u", unsigned{d.mcast_port});
  if (d.mcast_ttl) append_printf(out, ", ttl=%u", unsigned{d.mcast_ttl});
  out += ")\n";
}

}  // namespace

std::string format_sync_daemons(const SyncDaemons& daemons) {
  std::string out;
  if (daemons.master) append_daemon(out, "master", *daemons.master);
  if (daemons.backup) append_daemon(out, "backup", *daemons.backup);
  return out;
}

}  // namespace vsd::cli

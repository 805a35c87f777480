// Behaviour matched: ipvsadm 1.31 ipvsadm.c, list_daemon() and list_timeout().
#include <gtest/gtest.h>

#include "cli/daemon_listing.h"
#include "cli/timeout_listing.h"

namespace vsd::cli {
namespace {

TEST(TimeoutListing, ThreeTimeoutsOnOneLine) {
  EXPECT_EQ(format_timeouts({}), "Timeout (tcp tcpfin udp): 900 120 300\n");
  EXPECT_EQ(format_timeouts({7200, 60, 30}), "Timeout (tcp tcpfin udp): 7200 60 30\n");
}

SyncDaemonStatus reported_by_current_kernels(std::string interface, unsigned syncid) {
  SyncDaemonStatus s;
  s.mcast_interface = std::move(interface);
  s.syncid = syncid;
  s.sync_maxlen = 1472;
  s.mcast_group = IpAddress::parse("224.0.0.81");
  s.mcast_port = 8848;
  s.mcast_ttl = 1;
  return s;
}

TEST(DaemonListing, MasterLineThenBackupLine) {
  SyncDaemons daemons;
  daemons.backup = reported_by_current_kernels("eth1", 2);
  daemons.master = reported_by_current_kernels("eth0", 1);
  EXPECT_EQ(format_sync_daemons(daemons),
            "master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81, "
            "port=8848, ttl=1)\n"
            "backup sync daemon (mcast=eth1, syncid=2, maxlen=1472, group=224.0.0.81, "
            "port=8848, ttl=1)\n");
}

TEST(DaemonListing, UnreportedFieldsAreLeftOut) {
  SyncDaemons daemons;
  SyncDaemonStatus old_kernel;
  old_kernel.mcast_interface = "eth0";
  old_kernel.syncid = 255;
  daemons.backup = old_kernel;
  EXPECT_EQ(format_sync_daemons(daemons), "backup sync daemon (mcast=eth0, syncid=255)\n");
  daemons.backup->mcast_group = IpAddress::parse("ff02::1:81");
  daemons.backup->mcast_port = 8849;
  EXPECT_EQ(format_sync_daemons(daemons),
            "backup sync daemon (mcast=eth0, syncid=255, group=ff02::1:81, port=8849)\n");
}

TEST(DaemonListing, NoDaemonPrintsNothing) {
  EXPECT_EQ(format_sync_daemons({}), "");
}

}  // namespace
}  // namespace vsd::cli

// Behaviour matched: ipvsadm 1.31 ipvsadm.c process_options() (one library call per command,
// "%s\n" of ipvs_strerror() and status 255 when the kernel refuses, exit 1 when a listing
// fails), list_all()/list_service()/list_timeout()/list_daemon(), and libipvs.c ipvs_strerror()
// (the words per operation and errno). The daemon here is a real core::Model behind the real
// control socket (model_daemon.h).
#include "cli/commands.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "host_table.h"
#include "model_daemon.h"

namespace vsd::cli {
namespace {

class CommandsTest : public ::testing::Test {
 protected:
  CommandsTest() : session_(daemon_.path()) {
    env_.program = "ipvsadm";
    env_.lookup = &names_;
    env_.input = &input_;
  }
  Outcome run(std::vector<std::string> words) { return run_vsadm(words, session_, env_); }
  // Runs a command that must succeed silently.
  void ok(std::vector<std::string> words) {
    Outcome o = run(words);
    EXPECT_EQ(o.status, 0) << o.err;
    EXPECT_EQ(o.err, "");
    EXPECT_EQ(o.out, "");
  }
  void web_service() {
    ok({"-A", "-t", "192.168.2.11:80", "-s", "rr"});
    ok({"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.11:8080", "-m", "-w", "2"});
    ok({"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.12:8080", "-m"});
  }

  testing::ModelDaemon daemon_;
  Session session_;
  testing::HostTable names_;
  std::istringstream input_;
  Environment env_;
};

const std::string kHeader =
    "IP Virtual Server version 1.2.1 (size=4096)\n"
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

TEST_F(CommandsTest, AddedServicesAndServersAreListed) {
  web_service();
  Outcome listing = run({"-L", "-n"});
  EXPECT_EQ(listing.status, 0);
  EXPECT_EQ(listing.out,
            kHeader +
                "TCP  192.168.2.11:80 rr\n"
                "  -> 10.10.10.11:8080             Masq    2      0          0         \n"
                "  -> 10.10.10.12:8080             Masq    1      0          0         \n");
  // The real model holds what the command line said.
  ASSERT_EQ(daemon_.services().size(), 1u);
  EXPECT_EQ(daemon_.services()[0].scheduler, "rr");
  // Without words, ipvsadm lists the table (names are not resolved here: no resolver).
  EXPECT_EQ(run({}).out, listing.out);
  // One service, no version line.
  EXPECT_EQ(run({"-L", "-n", "-t", "192.168.2.11:80"}).out,
            listing.out.substr(listing.out.find('\n') + 1));
}

TEST_F(CommandsTest, EditsReplaceTheWholeEntryAsIpvsadmDoes) {
  web_service();
  ok({"-E", "-t", "192.168.2.11:80", "-s", "wlc", "-p", "60"});
  ok({"-e", "-t", "192.168.2.11:80", "-r", "10.10.10.11:8080", "-m", "-x", "100"});
  const auto services = daemon_.services();
  EXPECT_EQ(services[0].scheduler, "wlc");
  EXPECT_TRUE(services[0].persistent());
  EXPECT_EQ(services[0].persistence_timeout_s, 60u);
  const auto dests = daemon_.destinations(services[0].key);
  // -e without -w sets weight 1 again, as ipvsadm sends its default.
  EXPECT_EQ(dests[0].weight, 1);
  EXPECT_EQ(dests[0].upper_threshold, 100u);
  ok({"-d", "-t", "192.168.2.11:80", "-r", "10.10.10.12:8080"});
  EXPECT_EQ(daemon_.destinations(services[0].key).size(), 1u);
  ok({"-D", "-t", "192.168.2.11:80"});
  EXPECT_TRUE(daemon_.services().empty());
}

struct DaemonRefusal {
  std::vector<std::string> words;
  std::string err;
};

TEST_F(CommandsTest, RefusalsPrintLibipvsWordsAndReturn255) {
  web_service();
  const std::vector<DaemonRefusal> cases = {
      {{"-A", "-t", "192.168.2.11:80"}, "Service already exists\n"},
      {{"-A", "-t", "192.168.2.12:80", "-s", "nosuch"},
       "Scheduler or persistence engine not found\n"},
      {{"-E", "-t", "192.168.2.12:80"}, "No such service\n"},
      {{"-E", "-t", "192.168.2.11:80", "-s", "nosuch"},
       "Scheduler or persistence engine not found\n"},
      {{"-D", "-t", "192.168.2.12:80"}, "No such service\n"},
      {{"-Z", "-t", "192.168.2.12:80"}, "No such service\n"},
      {{"-a", "-t", "192.168.2.12:80", "-r", "10.0.0.1"}, "Service not defined\n"},
      {{"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.11:8080", "-m"},
       "Destination already exists\n"},
      {{"-e", "-t", "192.168.2.12:80", "-r", "10.0.0.1"}, "Service not defined\n"},
      {{"-e", "-t", "192.168.2.11:80", "-r", "10.0.0.1"}, "No such destination\n"},
      {{"-d", "-t", "192.168.2.12:80", "-r", "10.0.0.1"}, "Service not defined\n"},
      {{"-d", "-t", "192.168.2.11:80", "-r", "10.0.0.1"}, "No such destination\n"},
      {{"-A", "-t", "192.168.2.13:80", "-p", "-M", "0.0.0.0"},
       "Invalid operation.  Possibly wrong module version, address not unicast, ...\n"},
      {{"-a", "-t", "192.168.2.11:80", "-r", "10.0.0.3:80", "-m", "-x", "10", "-y", "20"},
       "Numerical result out of range\n"},
  };
  for (const DaemonRefusal& r : cases) {
    std::string line;
    for (const auto& w : r.words) line += w + " ";
    SCOPED_TRACE(line);
    Outcome o = run(r.words);
    EXPECT_EQ(o.err, r.err);
    EXPECT_EQ(o.out, "");
    EXPECT_EQ(o.status, 255);
    EXPECT_FALSE(o.ends_program);
  }
  Outcome missing = run({"-L", "-n", "-t", "192.168.2.12:80"});
  EXPECT_EQ(missing.err, "No such service\n");
  EXPECT_EQ(missing.status, 1);
}

TEST_F(CommandsTest, ClearZeroAndSave) {
  web_service();
  ok({"-A", "-f", "7", "-s", "sh", "-b", "sh-port", "-p", "600", "-M", "255.255.255.0"});
  ok({"-a", "-f", "7", "-r", "10.10.10.21", "-w", "3"});
  ok({"-Z"});
  ok({"-Z", "-f", "7"});
  Outcome saved = run({"-S", "-n"});
  EXPECT_EQ(saved.status, 0);
  EXPECT_EQ(saved.out,
            "-A -t 192.168.2.11:80 -s rr\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.11:8080 -m -w 2\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.12:8080 -m -w 1\n"
            "-A -f 7 -s sh -p 600 -M 255.255.255.0 -b sh-port\n"
            "-a -f 7 -r 10.10.10.21:0 -g -w 3\n");
  ok({"-C"});
  EXPECT_TRUE(daemon_.services().empty());
  EXPECT_EQ(run({"-S", "-n"}).out, "");
}

TEST_F(CommandsTest, TimeoutsAndSyncDaemons) {
  EXPECT_EQ(run({"-L", "--timeout"}).out, "Timeout (tcp tcpfin udp): 900 120 300\n");
  ok({"--set", "3600", "0", "60"});
  EXPECT_EQ(run({"-L", "--timeout"}).out, "Timeout (tcp tcpfin udp): 3600 120 60\n");

  EXPECT_EQ(run({"-L", "--daemon"}).out, "");
  ok({"--start-daemon", "master", "--syncid", "7", "--mcast-group", "224.0.0.81", "--mcast-port",
      "8848", "--mcast-ttl", "1"});
  ok({"--start-daemon", "backup", "--mcast-interface", "eth1"});
  EXPECT_EQ(run({"-L", "--daemon"}).out,
            "master sync daemon (mcast=eth0, syncid=7, group=224.0.0.81, port=8848, ttl=1)\n"
            "backup sync daemon (mcast=eth1, syncid=0)\n");
  Outcome again = run({"--start-daemon", "master"});
  EXPECT_EQ(again.err, "Daemon has already run\n");
  EXPECT_EQ(again.status, 255);
  ok({"--stop-daemon", "master"});
  Outcome stopped = run({"--stop-daemon", "master"});
  EXPECT_EQ(stopped.err, "No daemon is running\n");
  EXPECT_EQ(stopped.status, 255);
}

TEST_F(CommandsTest, ConnectionListing) {
  daemon_.set_connections(api::Json::array({{{"protocol", 6},
                                             {"expires", 897},
                                             {"state", "ESTABLISHED"},
                                             {"client", "10.0.0.99:40000"},
                                             {"virtual", "192.168.2.11:80"},
                                             {"destination", "10.10.10.11:8080"}}}));
  Outcome o = run({"-L", "-n", "-c"});
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out,
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n"
            "TCP 14:57  ESTABLISHED 10.0.0.99:40000    192.168.2.11:80    10.10.10.11:8080\n");
}

TEST(CommandsWithoutDaemon, SayWhereTheDaemonWasExpected) {
  Session session("/nonexistent-vsadm-dir/vsd.sock");
  Environment env;
  const std::vector<std::string> words = {"-L", "-n"};
  Outcome o = run_vsadm(words, session, env);
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err.rfind("Can't initialize ipvs: cannot reach vsd at /nonexistent-vsadm-dir/", 0),
            0u)
      << o.err;
  // Help and argument errors need no daemon.
  EXPECT_EQ(run_vsadm(std::vector<std::string>{"-h"}, session, env).status, 0);
  EXPECT_EQ(run_vsadm(std::vector<std::string>{"-A"}, session, env).status, 2);
}

}  // namespace
}  // namespace vsd::cli

// Behaviour matched: ipvsadm 1.31 ipvsadm.c restore_table() (each input line run as a command
// line; fail() ends the restore with status 2; a kernel refusal prints its words and the next
// line runs; the status is the last line's; -R within -R is refused) and config_stream.c (words
// split at blanks, tabs and CRs, every word "ipvsadm" dropped); ipvsadm-save output
// (print_service_entry with FMT_RULE) read back by -R.
#include "cli/restore.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "model_daemon.h"

namespace vsd::cli {
namespace {

using Words = std::vector<std::string>;

TEST(RestoreWords, SplitLikeConfigStream) {
  EXPECT_EQ(restore_words("-A -t 192.168.2.11:80 -s rr"),
            (Words{"-A", "-t", "192.168.2.11:80", "-s", "rr"}));
  EXPECT_EQ(restore_words("  -a\t-t 10.0.0.1:80  -r 10.0.0.2 \r"),
            (Words{"-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2"}));
  EXPECT_EQ(restore_words("ipvsadm -A -t 10.0.0.1:80"), (Words{"-A", "-t", "10.0.0.1:80"}));
  EXPECT_EQ(restore_words("/sbin/ipvsadm -C"), (Words{"/sbin/ipvsadm", "-C"}));
  EXPECT_EQ(restore_words("vsadm -C"), (Words{"-C"}));
  EXPECT_EQ(restore_words("# a comment"), Words{});
  EXPECT_EQ(restore_words("-C # flush first"), Words{"-C"});
  EXPECT_EQ(restore_words(""), Words{});
  EXPECT_EQ(restore_words("ipvsadm"), Words{});
}

class RestoreTest : public ::testing::Test {
 protected:
  Outcome run(testing::ModelDaemon& daemon, const Words& words, const std::string& input = "") {
    Session session(daemon.path());
    std::istringstream in(input);
    Environment env;
    env.input = &in;
    return run_vsadm(words, session, env);
  }
  Outcome restore_into(testing::ModelDaemon& daemon, const std::string& input) {
    return run(daemon, {"-R"}, input);
  }
  std::string save(testing::ModelDaemon& daemon) {
    Outcome o = run(daemon, {"-S", "-n"});
    EXPECT_EQ(o.status, 0) << o.err;
    return o.out;
  }

  testing::ModelDaemon a_;
  testing::ModelDaemon b_;
};

// What ipvsadm-save -n prints for a typical director, written as ipvsadm 1.31 writes it.
const std::string kSaved =
    "-A -t 192.168.2.11:80 -s rr\n"
    "-a -t 192.168.2.11:80 -r 10.10.10.11:80 -m -w 1\n"
    "-a -t 192.168.2.11:80 -r 10.10.10.12:80 -m -w 0\n"
    "-A -t 192.168.2.11:443 -s wlc -p 300 -M 255.255.255.0\n"
    "-a -t 192.168.2.11:443 -r 10.10.10.21:443 -g -w 3\n"
    "-A -u 192.168.2.11:53 -s sh -b sh-fallback,sh-port\n"
    "-a -u 192.168.2.11:53 -r 10.10.10.31:53 -i -w 1 --tun-type ipip\n"
    "-A -f 7 -s wrr\n"
    "-a -f 7 -r 10.10.10.41:0 -g -w 2\n"
    "-A -f 8 -6 -s rr -p 600 -M 64\n"
    "-a -f 8 -6 -r [2001:db8::41]:0 -g -w 1\n";

TEST_F(RestoreTest, IpvsadmSaveOutputRestoresAndSavesBackTheSame) {
  Outcome o = restore_into(a_, kSaved);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(a_.services().size(), 5u);
  EXPECT_EQ(save(a_), kSaved);
}

TEST_F(RestoreTest, LinesWrittenAsIpvsadmCommands) {
  Outcome o = restore_into(a_,
                           "ipvsadm -C\n"
                           "\n"
                           "ipvsadm -A -t 192.168.2.11:80 -s rr\n"
                           "  ipvsadm   -a -t 192.168.2.11:80 -r 10.10.10.11 -g -w 2\n"
                           "# the second server\n"
                           "-a -t 192.168.2.11:80 -r 10.10.10.12 -g\n");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(save(a_),
            "-A -t 192.168.2.11:80 -s rr\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.11:80 -g -w 2\n"
            "-a -t 192.168.2.11:80 -r 10.10.10.12:80 -g -w 1\n");
}

TEST_F(RestoreTest, ARefusedLineIsReportedAndTheRestGoesOn) {
  Outcome o = restore_into(a_,
                           "-A -t 192.168.2.11:80 -s rr\n"
                           "-A -t 192.168.2.11:80 -s rr\n"
                           "-a -t 192.168.2.11:80 -r 10.10.10.11\n");
  EXPECT_EQ(o.err, "Service already exists\n");
  // As with ipvsadm, the status is the last line's.
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(a_.destinations(a_.services()[0].key).size(), 1u);

  Outcome last = restore_into(b_, "-A -t 192.168.2.11:80\n-D -t 192.168.2.12:80\n");
  EXPECT_EQ(last.err, "No such service\n");
  EXPECT_EQ(last.status, 255);
}

TEST_F(RestoreTest, AnIpvsadmCheckEndsTheRestore) {
  Outcome o = restore_into(a_,
                           "-A -t 192.168.2.11:80\n"
                           "-A -t 192.168.2.12\n"
                           "-A -t 192.168.2.13:80\n");
  EXPECT_EQ(o.err, "Zero port specified for non-persistent service\n");
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(a_.services().size(), 1u);

  Outcome nested = restore_into(b_, "-A -t 192.168.2.11:80\n-R\n-A -t 192.168.2.12:80\n");
  EXPECT_EQ(nested.err, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
  EXPECT_EQ(nested.status, 255);
  EXPECT_EQ(b_.services().size(), 1u);
}

TEST_F(RestoreTest, ListingLinesPrintAsTheyRun) {
  Outcome o = restore_into(a_, "-A -t 192.168.2.11:80 -s rr\n-S -n\n");
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(o.out, "-A -t 192.168.2.11:80 -s rr\n");
}

TEST_F(RestoreTest, SaveRestoreRoundTripThroughTwoDaemons) {
  const std::vector<Words> setup = {
      {"-A", "-t", "192.168.2.11:80", "-s", "wrr"},
      {"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.11:8080", "-m", "-w", "5"},
      {"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.12", "-g", "-w", "0"},
      {"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.13", "-i", "--tun-type", "gue", "--tun-port",
       "6080", "--tun-csum"},
      {"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.14", "-i", "--tun-type", "gre",
       "--tun-nocsum"},
      {"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.15:80", "--fullnat", "-w", "7"},
      {"-A", "-u", "192.168.2.11:53", "-s", "mh", "-b", "mh-fallback", "-o"},
      {"-a", "-u", "192.168.2.11:53", "-r", "10.10.10.21"},
      {"-A", "--sctp-service", "[2001:db8::1]:3868", "-s", "lc", "-p", "120", "-M", "64"},
      {"-a", "--sctp-service", "[2001:db8::1]:3868", "-r", "2001:db8::10", "-w", "4"},
      {"-A", "-t", "192.168.2.11:0", "-s", "sed", "-p", "3600", "-M", "255.255.0.0"},
      {"-a", "-t", "192.168.2.11:0", "-r", "10.10.10.31:0", "-g"},
      {"-A", "-f", "100", "-s", "nq"},
      {"-A", "-f", "101", "-6", "-s", "fo", "-p"},
  };
  for (const Words& w : setup) {
    Outcome o = run(a_, w);
    ASSERT_EQ(o.status, 0) << w[0] << " " << w[2] << ": " << o.err;
  }
  const std::string saved = save(a_);
  // The saved text carries what ipvsadm writes for tunnels, and vsd's full NAT.
  EXPECT_NE(saved.find("-r 10.10.10.13:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n"),
            std::string::npos)
      << saved;
  EXPECT_NE(saved.find("-r 10.10.10.14:80 -i -w 1 --tun-type gre --tun-nocsum\n"),
            std::string::npos);
  EXPECT_NE(saved.find("-r 10.10.10.15:80 --fullnat -w 7\n"), std::string::npos);
  Outcome restored = restore_into(b_, saved);
  ASSERT_EQ(restored.status, 0) << restored.err;
  EXPECT_EQ(save(b_), saved);
  // Not only the same text: the same services in the model (ipvsadm -S writes no thresholds,
  // and the add order differs only where -S sorts).
  auto services_a = a_.services();
  auto services_b = b_.services();
  ASSERT_EQ(services_a.size(), services_b.size());
  for (const auto& s : services_a) {
    bool found = false;
    for (const auto& t : services_b) found = found || s == t;
    EXPECT_TRUE(found) << core::to_string(s.key);
    EXPECT_EQ(a_.destinations(s.key).size(), b_.destinations(s.key).size());
  }
}

}  // namespace
}  // namespace vsd::cli

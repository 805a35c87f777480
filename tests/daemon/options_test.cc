#include "daemon/options.h"

#include <gtest/gtest.h>

namespace vsd::daemon {
namespace {

TEST(Options, KeepalivedFlags) {
  auto o = parse_options({"-f", "/etc/k.conf", "-n", "-l", "-D", "-p", "/run/vsd.pid",
                          "--socket=/tmp/s.sock", "-i", "lb1"});
  ASSERT_TRUE(o.ok()) << o.error().message;
  EXPECT_EQ(o->config_file, "/etc/k.conf");
  EXPECT_TRUE(o->foreground);
  EXPECT_TRUE(o->log_console);
  EXPECT_TRUE(o->log_detail);
  EXPECT_EQ(o->pid_file, "/run/vsd.pid");
  EXPECT_EQ(o->socket, "/tmp/s.sock");
  EXPECT_EQ(o->config_id, "lb1");
  EXPECT_FALSE(o->config_test);
}

TEST(Options, LongFormsAndAttachedValues) {
  auto o = parse_options(
      {"--use-file=/a.conf", "--dont-fork", "--log-console", "--pid", "/p", "-f/b.conf"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->config_file, "/b.conf");  // the last one wins, as with getopt
  EXPECT_EQ(o->pid_file, "/p");
}

TEST(Options, ConfigTestTakesAnOptionalFile) {
  auto plain = parse_options({"-t", "-f", "/x.conf"});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->config_test);
  EXPECT_EQ(plain->config_file, "/x.conf");
  auto attached = parse_options({"--config-test=/y.conf"});
  ASSERT_TRUE(attached.ok());
  EXPECT_TRUE(attached->config_test);
  EXPECT_EQ(attached->config_file, "/y.conf");
}

TEST(Options, MistakesAreNamed) {
  EXPECT_EQ(parse_options({"--frob"}).error().message, "unknown option '--frob' (see vsd --help)");
  EXPECT_EQ(parse_options({"-f"}).error().message, "option --use-file needs a value");
}

}  // namespace
}  // namespace vsd::daemon

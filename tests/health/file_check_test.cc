// FILE_CHECK and track_file as keepalived's check/check_file.c and trackers/track_file.c judge
// them: a weight of 0 turns a non-zero value into a failure (reverse: zero), a weight moves the
// real server's weight by value * weight (reverse: minus; the IPVS weight clamped to 0..65535)
// and a product at or below INT32_MIN fails; a missing file reads as 0; init_file creates the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "config/parser.h"
#include "health/manager.h"
#include "manual_io.h"

namespace vsd::health {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class FileCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("vsd-file-check-" + std::to_string(getpid()));
    fs::create_directories(dir);
    path = (dir / "state").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  void write(const std::string& content) { std::ofstream(path, std::ios::trunc) << content; }

  // A virtual server with one real server (weight 10) whose FILE_CHECK has `checker_body`, after
  // `track_file state { file PATH; <track_body> }`.
  std::string text(const std::string& track_body, const std::string& checker_body) const {
    return "track_file state {\n file " + path + "\n" + track_body +
           "\n}\nvirtual_server 10.0.0.1 80 {\n lb_kind NAT\n delay_loop 5\n"
           " real_server 10.0.0.2 80 {\n  weight 10\n  FILE_CHECK {\n   track_file state\n" +
           checker_body + "\n  }\n }\n}\n";
  }
  std::string configure(const std::string& conf) {
    config::Diagnostics d;
    auto c = config::parse_text(conf, "f.conf", {}, d);
    EXPECT_TRUE(c) << (d.errors().empty() ? "" : d.errors()[0]);
    if (!c) return "";
    ::testing::internal::CaptureStderr();
    adjustments = manager.configure(*c, d);
    EXPECT_TRUE(d.errors().empty()) << d.errors()[0];
    return ::testing::internal::GetCapturedStderr();
  }
  std::string advance(Duration by) {
    ::testing::internal::CaptureStderr();
    io.advance(by);
    return ::testing::internal::GetCapturedStderr();
  }
  std::optional<bool> alive() const { return manager.alive(service, server); }
  // The weight the last change for the server gives it (nullopt: no change names it).
  static std::optional<int64_t> weight_in(const std::vector<core::Change>& changes) {
    std::optional<int64_t> weight;
    for (const auto& c : changes) {
      if (auto* e = std::get_if<core::EditDestination>(&c)) weight = e->config.weight;
      if (auto* a = std::get_if<core::AddDestination>(&c)) weight = a->config.weight;
    }
    return weight;
  }

  fs::path dir;
  std::string path;
  core::ServiceKey service =
      core::ServiceKey::virtual_address(core::Protocol::tcp, *IpAddress::parse("10.0.0.1"), 80);
  Endpoint server{*IpAddress::parse("10.0.0.2"), 80};
  ManualIo io;
  ScriptRunner scripts{io};
  Logger log{"vsd", Logger::Sink::console, false};
  std::vector<core::Change> applied;
  std::vector<core::Change> adjustments;
  Manager manager{io, scripts, log,
                  ManagerHooks{[this](const std::vector<core::Change>& c) {
                                 applied.insert(applied.end(), c.begin(), c.end());
                               },
                               nullptr},
                  1};
};

TEST_F(FileCheck, WeightZeroNonZeroIsDownAtOnceAndZeroIsUp) {
  write("3\n");
  configure(text("weight 0", ""));
  EXPECT_EQ(alive(), false) << "the file is read when the checker starts: no up-then-down flap";
  write("0\n");
  const std::string log_text = advance(seconds(5));
  EXPECT_EQ(alive(), true);
  EXPECT_THAT(log_text, HasSubstr("Adding service [10.0.0.2]:tcp:80"));
  write("0x10\n");  // strtol base 0, as keepalived reads it
  advance(seconds(5));
  EXPECT_EQ(alive(), false) << "one read decides: keepalived does not retry a tracked file";
  fs::remove(path);
  advance(seconds(5));
  EXPECT_EQ(alive(), true) << "a missing file reads as 0";
}

TEST_F(FileCheck, ReverseWithWeightZeroMakesZeroDown) {
  write("0\n");
  configure(text("weight 0 reverse", ""));
  EXPECT_EQ(alive(), false);
  write("1\n");
  advance(seconds(5));
  EXPECT_EQ(alive(), true);
}

TEST_F(FileCheck, CheckerWeightOverridesTheTrackFileAndMovesTheRealServerWeight) {
  write("5\n");
  configure(text("", ""));  // track_file weight defaults to 1
  EXPECT_EQ(alive(), true);
  EXPECT_EQ(weight_in(adjustments), 15) << "10 + 5 * 1";

  write("4\n");
  configure(text("weight 0", "   weight 3"));  // the checker's own weight wins
  EXPECT_EQ(alive(), true);
  EXPECT_EQ(weight_in(adjustments), 22) << "10 + 4 * 3";

  write("4\n");
  configure(text("weight 2 reverse", ""));
  EXPECT_EQ(weight_in(adjustments), 2) << "10 - 4 * 2: the track_file's weight and reverse";
}

TEST_F(FileCheck, WeightIsClampedAndAProductAtInt32MinFails) {
  write("20\n");
  configure(text("weight -1", ""));
  EXPECT_EQ(alive(), true);
  EXPECT_EQ(weight_in(adjustments), 0) << "10 - 20 is clamped to 0, the server stays in";

  applied.clear();
  write("100000\n");
  advance(seconds(5));
  EXPECT_EQ(alive(), true);
  EXPECT_EQ(weight_in(applied), std::nullopt) << "10 - 100000 is still 0: nothing to change";

  write("-100000\n");
  applied.clear();
  advance(seconds(5));
  EXPECT_EQ(weight_in(applied), 65535) << "10 + 100000, clamped to the IPVS maximum";

  write("2147483648\n");  // * -1 = INT32_MIN: keepalived's fault value
  advance(seconds(5));
  EXPECT_EQ(alive(), false);

  write("99999999999\n");  // outside int32: ignored, the last value stays
  advance(seconds(5));
  EXPECT_EQ(alive(), false);
}

TEST_F(FileCheck, InitFileCreatesTheFileAndOverwritesOnlyAtStart) {
  configure(text("weight 0\n init_file 7", ""));
  std::ifstream created(path);
  int value = 0;
  ASSERT_TRUE(created >> value) << "init_file creates the file";
  EXPECT_EQ(value, 7);
  EXPECT_EQ(alive(), false) << "7 with weight 0 is down";

  write("0\n");
  configure(text("weight 0\n init_file 7", ""));
  EXPECT_EQ(alive(), true) << "an existing file is left alone without overwrite";

  Manager fresh{io, scripts, log, ManagerHooks{}, 2};
  config::Diagnostics d;
  auto c = config::parse_text(text("weight 0\n init_file 9 overwrite", ""), "f.conf", {}, d);
  ASSERT_TRUE(c);
  fresh.configure(*c, d);
  std::ifstream overwritten(path);
  ASSERT_TRUE(overwritten >> value);
  EXPECT_EQ(value, 9) << "overwrite at start";
  write("0\n");
  fresh.configure(*c, d);
  std::ifstream kept(path);
  ASSERT_TRUE(kept >> value);
  EXPECT_EQ(value, 0) << "not on a reload";
}

TEST(FileCheckConfig, UnknownTrackFileIsALocatedError) {
  config::Diagnostics d;
  auto c = config::parse_text(
      "track_file up {\n file /tmp/x\n}\nvirtual_server 10.0.0.1 80 {\n lb_kind NAT\n"
      " real_server 10.0.0.2 80 {\n  FILE_CHECK {\n   track_file down\n  }\n }\n}\n",
      "u.conf", {}, d);
  EXPECT_FALSE(c);
  ASSERT_EQ(d.errors().size(), 1u);
  EXPECT_THAT(d.errors()[0], HasSubstr("u.conf:8:"));
  EXPECT_THAT(d.errors()[0], HasSubstr("track_file down not found"));
}

TEST(FileCheckConfig, OldVrrpTrackFileNameIsAccepted) {
  config::Diagnostics d;
  auto c = config::parse_text(
      "vrrp_track_file up {\n file /tmp/x\n weight 3 reverse\n init_file\n}\n", "o.conf", {}, d);
  ASSERT_TRUE(c) << d.errors()[0];
  ASSERT_EQ(c->track_files.size(), 1u);
  EXPECT_EQ(c->track_files[0].weight, 3);
  EXPECT_TRUE(c->track_files[0].reverse);
  EXPECT_EQ(c->track_files[0].init_value, 0) << "init_file alone writes 0";
}

TEST(FileCheckConfig, FilePathInTheCheckerIsAnErrorPointingToTrackFile) {
  config::Diagnostics d;
  auto c = config::parse_text(
      "virtual_server 10.0.0.1 80 {\n lb_kind NAT\n real_server 10.0.0.2 80 {\n"
      "  FILE_CHECK {\n   file /tmp/x\n  }\n }\n}\n",
      "p.conf", {}, d);
  ASSERT_TRUE(c);
  const auto& vs = c->virtual_servers[0];
  EXPECT_FALSE(read_checker(vs.real_servers[0].checkers[0], vs, vs.real_servers[0], d));
  ASSERT_FALSE(d.errors().empty());
  EXPECT_THAT(d.errors()[0], HasSubstr("p.conf:5:"));
  EXPECT_THAT(d.errors()[0], HasSubstr("track_file"));
}

}  // namespace
}  // namespace vsd::health

// FILE_CHECK reacting to its file at once, as keepalived's trackers/track_file.c does with
// inotify on the file's directory (IN_CLOSE_WRITE, IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE): a
// write, a `mv` over the file and its removal (read as 0) apply without waiting for delay_loop,
// on the real event loop; a reload that drops the checker stops the reaction and the watch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/event_loop.h"
#include "config/parser.h"
#include "health/loop_io.h"
#include "health/manager.h"

namespace vsd::health {
namespace {

namespace fs = std::filesystem;

// Runs the loop until `done` holds or `limit` passes.
template <class Pred>
void run_until(EventLoop& loop, Pred done, Duration limit) {
  const auto poll = loop.add_timer(
      milliseconds(2),
      [&] {
        if (done()) loop.stop();
      },
      milliseconds(2));
  const auto give_up = loop.add_timer(limit, [&] { loop.stop(); });
  (void)loop.run();
  loop.cancel_timer(poll);
  loop.cancel_timer(give_up);
}

// inotify descriptors this process holds (the watcher's, when it has one).
size_t inotify_descriptors() {
  size_t n = 0;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd")) {
    std::error_code ec;
    if (fs::read_symlink(entry.path(), ec).string() == "anon_inode:inotify") ++n;
  }
  return n;
}

class FileWatch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("vsd-file-watch-" + std::to_string(getpid()));
    fs::create_directories(dir);
    path = (dir / "drain").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  // As an operator does it: `echo VALUE > f`.
  void write(const std::string& file, const std::string& value) {
    std::ofstream(file, std::ios::trunc) << value << "\n";
  }

  // delay_loop 60: any reaction within a second is the watch, not the periodic read.
  std::string text(const std::string& track_body, bool with_checker = true) const {
    return "track_file drain {\n file " + path + "\n" + track_body +
           "\n}\nvirtual_server 10.0.0.1 80 {\n lb_kind NAT\n delay_loop 60\n"
           " real_server 10.0.0.2 80 {\n  weight 10\n" +
           (with_checker ? "  FILE_CHECK {\n   track_file drain\n  }\n" : "") + " }\n}\n";
  }
  void configure(const std::string& conf) {
    config::Diagnostics d;
    auto c = config::parse_text(conf, "w.conf", {}, d);
    ASSERT_TRUE(c) << (d.errors().empty() ? "" : d.errors()[0]);
    ::testing::internal::CaptureStderr();
    manager.configure(*c, d);
    log_text += ::testing::internal::GetCapturedStderr();
    ASSERT_TRUE(d.errors().empty()) << d.errors()[0];
    // The first check runs at start (no warmup for FILE_CHECK); the next is a minute away.
    run_for(milliseconds(20));
    if (conf.find("FILE_CHECK") == std::string::npos) return;
    const auto next = manager.next_check(service, server);
    ASSERT_TRUE(next);
    ASSERT_GT(*next - loop.now(), seconds(50));
  }
  void run_for(Duration d) {
    ::testing::internal::CaptureStderr();
    run_until(
        loop, [] { return false; }, d);
    log_text += ::testing::internal::GetCapturedStderr();
  }
  // How long the server took to reach `state`, or nullopt when it did not within a second.
  std::optional<Duration> time_until_alive(bool state) {
    const Instant start = loop.now();
    ::testing::internal::CaptureStderr();
    run_until(
        loop, [&] { return manager.alive(service, server) == state; }, seconds(1));
    log_text += ::testing::internal::GetCapturedStderr();
    if (manager.alive(service, server) != state) return std::nullopt;
    return loop.now() - start;
  }
  std::optional<int64_t> last_weight() const {
    std::optional<int64_t> weight;
    for (const auto& c : applied)
      if (auto* e = std::get_if<core::EditDestination>(&c)) weight = e->config.weight;
    return weight;
  }

  fs::path dir;
  std::string path;
  core::ServiceKey service =
      core::ServiceKey::virtual_address(core::Protocol::tcp, *IpAddress::parse("10.0.0.1"), 80);
  Endpoint server{*IpAddress::parse("10.0.0.2"), 80};
  EventLoop loop;
  LoopIo io{loop};
  ScriptRunner scripts{io};
  Logger log{"vsd", Logger::Sink::console, false};
  std::string log_text;
  std::vector<core::Change> applied;
  Manager manager{io, scripts, log,
                  ManagerHooks{[this](const std::vector<core::Change>& c) {
                                 applied.insert(applied.end(), c.begin(), c.end());
                               },
                               nullptr},
                  1};
};

TEST_F(FileWatch, WritingOneDrainsTheServerWithinASecondOfDelayLoop60) {
  write(path, "0");
  configure(text("weight 0"));
  ASSERT_EQ(manager.alive(service, server), true);

  write(path, "1");
  const auto took = time_until_alive(false);
  ASSERT_TRUE(took) << "still up a second after `echo 1 > " << path << "` (delay_loop is 60 s)";
  EXPECT_LT(*took, seconds(1));
  EXPECT_THAT(log_text, ::testing::HasSubstr("Removing service [10.0.0.2]:tcp:80"));

  write(path, "0");
  EXPECT_TRUE(time_until_alive(true)) << "writing 0 brings it back at once";
}

TEST_F(FileWatch, MovingANewFileOverItIsSeen) {
  write(path, "0");
  configure(text("weight 0"));
  const std::string staged = (dir / "drain.new").string();
  write(staged, "1");
  ASSERT_EQ(manager.alive(service, server), true) << "a write to another file changes nothing";
  run_for(milliseconds(50));
  ASSERT_EQ(manager.alive(service, server), true);

  ASSERT_EQ(std::rename(staged.c_str(), path.c_str()), 0);
  EXPECT_TRUE(time_until_alive(false)) << "`mv drain.new drain` with 1 in it";

  write(staged, "0");
  ASSERT_EQ(std::rename(staged.c_str(), path.c_str()), 0);
  EXPECT_TRUE(time_until_alive(true)) << "`mv drain.new drain` with 0 in it";
}

TEST_F(FileWatch, RemovingTheFileReadsAsZero) {
  write(path, "1");
  configure(text("weight 0"));
  ASSERT_EQ(manager.alive(service, server), false);

  fs::remove(path);
  EXPECT_TRUE(time_until_alive(true)) << "`rm drain`: a missing file is 0, up with weight 0";

  write(path, "1");
  EXPECT_TRUE(time_until_alive(false)) << "the file created again is followed too";
}

TEST_F(FileWatch, AWeightChangeAppliesAtOnce) {
  write(path, "5");
  configure(text("weight 2"));
  ASSERT_EQ(manager.alive(service, server), true);

  applied.clear();
  write(path, "-3");
  ::testing::internal::CaptureStderr();
  run_until(
      loop, [&] { return last_weight().has_value(); }, seconds(1));
  log_text += ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(last_weight(), 4) << "10 + -3 * 2, within a second";
  EXPECT_THAT(log_text, ::testing::HasSubstr("Changing weight from 20 to 4"));
}

TEST_F(FileWatch, AReloadWithoutTheCheckerStopsReactingAndDropsTheWatch) {
  const size_t before = inotify_descriptors();
  write(path, "0");
  configure(text("weight 0"));
  ASSERT_EQ(inotify_descriptors(), before + 1) << "one descriptor for the manager";

  configure(text("weight 0"));  // unchanged: the checker is kept, still one descriptor
  EXPECT_EQ(inotify_descriptors(), before + 1);
  write(path, "1");
  ASSERT_TRUE(time_until_alive(false)) << "the checker kept across a reload still reacts";
  write(path, "0");
  ASSERT_TRUE(time_until_alive(true));

  configure(text("weight 0", false));
  EXPECT_EQ(inotify_descriptors(), before) << "no checker follows a file: no descriptor";
  applied.clear();
  write(path, "1");
  run_for(milliseconds(300));
  EXPECT_EQ(manager.alive(service, server), true) << "nothing checks the file any more";
  EXPECT_TRUE(applied.empty());
}

TEST_F(FileWatch, ShutdownDropsTheWatch) {
  const size_t before = inotify_descriptors();
  write(path, "0");
  configure(text("weight 0"));
  ASSERT_EQ(inotify_descriptors(), before + 1);
  ::testing::internal::CaptureStderr();
  manager.shutdown();
  log_text += ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(inotify_descriptors(), before);
  write(path, "1");
  run_for(milliseconds(100));  // a stale watch would call into a destroyed checker (ASan)
}

TEST_F(FileWatch, AFileInAMissingDirectoryFallsBackToThePeriodicRead) {
  const size_t before = inotify_descriptors();
  path = (dir / "absent" / "drain").string();
  configure(text("weight 0"));
  EXPECT_EQ(manager.alive(service, server), true) << "a missing file reads as 0";
  EXPECT_EQ(inotify_descriptors(), before) << "nothing to watch";
}

}  // namespace
}  // namespace vsd::health

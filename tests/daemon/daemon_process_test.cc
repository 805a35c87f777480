// The vsd daemon as users run it: a real process, a real configuration file, signals, and the
// control socket spoken to with the client library.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "api/client.h"
#include "api/schema.h"

namespace vsd {
namespace {

namespace fs = std::filesystem;

struct ProcessResult {
  int exit_code;
  std::string output;
};

// Runs vsd to completion, capturing stderr and stdout.
ProcessResult run_vsd(const std::vector<std::string>& args) {
  int pipe_fds[2];
  EXPECT_EQ(pipe(pipe_fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], 1);
    dup2(pipe_fds[1], 2);
    close(pipe_fds[0]);
    std::vector<char*> argv{const_cast<char*>(VSD_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(VSD_BINARY, argv.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  std::string output;
  char buffer[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buffer, sizeof(buffer))) > 0)
    output.append(buffer, static_cast<size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

const char* kConfig = R"(global_defs {
  lvs_timeouts tcp 7200 udp 60
}
virtual_server 192.168.2.11 80 {
  lb_algo wrr
  lb_kind NAT
  real_server 10.0.0.1 80 { weight 1 }
  real_server 10.0.0.2 80 { weight 3 }
}
)";

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vsd-daemon-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    config_ = (dir_ / "keepalived.conf").string();
    socket_ = (dir_ / "vsd.sock").string();
    pid_file_ = (dir_ / "vsd.pid").string();
    write(kConfig);
  }
  void TearDown() override {
    stop();
    fs::remove_all(dir_);
  }
  void write(const std::string& text) { std::ofstream(config_) << text; }

  void start() {
    log_ = (dir_ / "vsd.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(fd, 2);
      execl(VSD_BINARY, VSD_BINARY, "-n", "-l", "-f", config_.c_str(), "--socket", socket_.c_str(),
            "-p", pid_file_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200 && !client_; ++i) {  // up to 10 s
      auto c = api::Client::connect(socket_);
      if (c.ok())
        client_.emplace(std::move(*c));
      else
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_TRUE(client_) << "vsd did not open its socket; log:\n" << log();
  }
  int stop() {
    client_.reset();
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  std::string log() const {
    std::ifstream in(log_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // Sends SIGHUP and waits until the daemon has logged the outcome.
  void reload_and_wait(const std::string& expect_in_log) {
    kill(pid_, SIGHUP);
    for (int i = 0; i < 200; ++i) {
      if (log().find(expect_in_log) != std::string::npos) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL() << "no '" << expect_in_log << "' in the log:\n" << log();
  }
  std::vector<int64_t> weights() {
    auto r = client_->call(api::op::list);
    EXPECT_TRUE(r.ok());
    std::vector<int64_t> out;
    for (const auto& d : (*r)["services"][0]["destinations"]) out.push_back(d["weight"]);
    return out;
  }

  fs::path dir_;
  std::string config_, socket_, pid_file_, log_;
  pid_t pid_ = -1;
  std::optional<api::Client> client_;
};

TEST_F(DaemonTest, ConfigTestAcceptsAGoodFile) {
  ProcessResult r = run_vsd({"-t", "-f", config_});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("configuration OK (1 virtual services)"), std::string::npos);
}

TEST_F(DaemonTest, ConfigTestReportsEveryProblemWithFileAndLine) {
  write(
      "virtual_server 10.0.0.1 80 {\n  lb_algo best\n  frob\n  real_server 10.0.0.2 80 {\n"
      "    weight 99999\n  }\n}\n");
  ProcessResult r = run_vsd({"-t", "-f", config_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find(config_ + ":3: unknown keyword 'frob' in virtual_server (warning)"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find(config_ + ":5: 'weight': 99999 is outside 0..65535"), std::string::npos)
      << r.output;
}

TEST_F(DaemonTest, ConfigTestReportsMistakesInsideCheckerBlocks) {
  write(
      "virtual_server 10.0.0.1 80 {\n  real_server 10.0.0.2 80 {\n    TCP_CHECK {\n"
      "      connect_port 70000\n    }\n    FILE_CHECK {\n      file /tmp/drain\n    }\n"
      "  }\n}\n");
  ProcessResult r = run_vsd({"-t", "-f", config_});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(config_ + ":4: 'connect_port'"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(config_ + ":7: "), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("configuration OK"), std::string::npos) << r.output;
}

TEST_F(DaemonTest, ServesTheConfigurationOverTheSocket) {
  start();
  EXPECT_EQ(weights(), (std::vector<int64_t>{1, 3}));
  auto timeouts = client_->call(api::op::get_timeouts);
  ASSERT_TRUE(timeouts.ok());
  EXPECT_EQ((*timeouts)["tcp"], 7200);
  EXPECT_EQ((*timeouts)["udp"], 60);
  EXPECT_TRUE(fs::exists(pid_file_));
}

TEST_F(DaemonTest, ASecondDaemonOnTheSameSocketRefusesToStart) {
  start();
  ProcessResult second = run_vsd({"-n", "-l", "-f", config_, "--socket", socket_});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.output.find("another vsd is already running on " + socket_), std::string::npos)
      << second.output;
  EXPECT_EQ(weights(), (std::vector<int64_t>{1, 3}));  // the first one is unharmed
}

TEST_F(DaemonTest, SighupAppliesAChangeAndRejectsABrokenFileWhole) {
  start();
  write(std::string(kConfig).replace(std::string(kConfig).find("weight 3"), 8, "weight 7"));
  reload_and_wait("SIGHUP: " + config_ + " loaded, 1 change(s)");
  EXPECT_EQ(weights(), (std::vector<int64_t>{1, 7}));

  write(std::string(kConfig).replace(std::string(kConfig).find("weight 3"), 8, "weight x"));
  reload_and_wait("rejected; the running configuration stays");
  EXPECT_NE(log().find(config_ + ":8: 'weight': 'x' is not a number"), std::string::npos) << log();
  EXPECT_EQ(weights(), (std::vector<int64_t>{1, 7}));
}

TEST_F(DaemonTest, SigtermStopsCleanly) {
  start();
  EXPECT_EQ(stop(), 0);
  EXPECT_FALSE(fs::exists(socket_));
  EXPECT_FALSE(fs::exists(pid_file_));
}

}  // namespace
}  // namespace vsd

namespace vsd {
namespace {

// Every configuration keepalived ships as a sample (Debian package keepalived) passes vsd -t:
// the LVS and VRRP ones are understood, the rest only draw warnings.
TEST(KeepalivedSamples, EveryShippedSamplePassesConfigTest) {
  const std::filesystem::path samples = "/usr/share/doc/keepalived/samples";
  if (!std::filesystem::is_directory(samples))
    GTEST_SKIP() << "keepalived's samples are not installed (Debian package keepalived)";
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(samples)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("keepalived.conf.", 0) != 0) continue;
    ProcessResult r = run_vsd({"-t", "-f", entry.path().string()});
    EXPECT_EQ(r.exit_code, 0) << name << ":\n" << r.output;
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace vsd

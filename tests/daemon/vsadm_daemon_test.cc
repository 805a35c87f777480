// vsadm against the real vsd: both programs as users run them, ipvsadm's commands in, ipvsadm's
// output out; a save/clear/restore round trip; a reload that keeps vsadm-visible state.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace vsd {
namespace {

namespace fs = std::filesystem;

struct Output {
  int exit_code;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class VsadmWithDaemon : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vsd-vsadm-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    socket_ = (dir_ / "vsd.sock").string();
    config_ = (dir_ / "vsd.conf").string();
    std::ofstream(config_) << "virtual_server 192.168.2.11 80 {\n  lb_algo rr\n  lb_kind NAT\n"
                              "  real_server 10.10.10.11 80 { weight 1 }\n}\n";
    daemon_ = fork();
    if (daemon_ == 0) {
      const std::string log = (dir_ / "vsd.log").string();
      freopen(log.c_str(), "w", stderr);
      execl(VSD_BINARY, VSD_BINARY, "-n", "-l", "-f", config_.c_str(), "--socket", socket_.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(socket_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(fs::exists(socket_)) << slurp(dir_ / "vsd.log");
  }
  void TearDown() override {
    if (daemon_ > 0) {
      kill(daemon_, SIGTERM);
      waitpid(daemon_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  // Runs vsadm with VSD_SOCKET pointing at our daemon; `input` goes to its stdin.
  Output vsadm(const std::vector<std::string>& args, const std::string& input = "") {
    const fs::path in = dir_ / "stdin", out = dir_ / "stdout", err = dir_ / "stderr";
    std::ofstream(in) << input;
    const pid_t pid = fork();
    if (pid == 0) {
      setenv("VSD_SOCKET", socket_.c_str(), 1);
      freopen(in.c_str(), "r", stdin);
      freopen(out.c_str(), "w", stdout);
      freopen(err.c_str(), "w", stderr);
      std::vector<char*> argv{const_cast<char*>(VSADM_BINARY)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(VSADM_BINARY, argv.data());
      _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
  }

  fs::path dir_;
  std::string socket_, config_;
  pid_t daemon_ = -1;
};

TEST_F(VsadmWithDaemon, IpvsadmCommandsAndListing) {
  EXPECT_EQ(
      vsadm({"-a", "-t", "192.168.2.11:80", "-r", "10.10.10.12:80", "-m", "-w", "2"}).exit_code, 0);
  EXPECT_EQ(vsadm({"-A", "-u", "192.168.2.11:53", "-s", "sh", "-b", "sh-port"}).exit_code, 0);
  EXPECT_EQ(vsadm({"-a", "-u", "192.168.2.11:53", "-r", "10.10.10.11"}).exit_code, 0);
  const Output listing = vsadm({"-L", "-n"});
  EXPECT_EQ(listing.exit_code, 0) << listing.err;
  EXPECT_EQ(listing.out,
            "IP Virtual Server version 1.2.1 (size=4096)\n"
            "Prot LocalAddress:Port Scheduler Flags\n"
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
            "TCP  192.168.2.11:80 rr\n"
            "  -> 10.10.10.11:80               Masq    1      0          0         \n"
            "  -> 10.10.10.12:80               Masq    2      0          0         \n"
            "UDP  192.168.2.11:53 sh (sh-port)\n"
            "  -> 10.10.10.11:53               Route   1      0          0         \n");
}

TEST_F(VsadmWithDaemon, ErrorsSpeakIpvsadm) {
  const Output dup = vsadm({"-A", "-t", "192.168.2.11:80"});
  EXPECT_NE(dup.exit_code, 0);
  EXPECT_EQ(dup.err, "Service already exists\n");
  const Output missing = vsadm({"-d", "-t", "192.168.2.11:80", "-r", "10.9.9.9:80"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_EQ(missing.err, "No such destination\n");
  const Output zero_port = vsadm({"-A", "-t", "192.168.2.20:0"});
  EXPECT_EQ(zero_port.exit_code, 2);
  EXPECT_NE(zero_port.err.find("Zero port specified for non-persistent service"), std::string::npos)
      << zero_port.err;
}

TEST_F(VsadmWithDaemon, SaveClearRestoreRoundTrip) {
  ASSERT_EQ(vsadm({"-A", "-t", "[2001:db8::1]:443", "-s", "wlc", "-p", "600"}).exit_code, 0);
  ASSERT_EQ(vsadm({"-a", "-t", "[2001:db8::1]:443", "-r", "[2001:db8::10]:443", "-g", "-w", "3"})
                .exit_code,
            0);
  ASSERT_EQ(vsadm({"-a", "-t", "[2001:db8::1]:443", "-r", "[2001:db8::11]:443", "-i", "--tun-type",
                   "gue", "--tun-port", "6080", "--tun-csum"})
                .exit_code,
            0);
  ASSERT_EQ(vsadm({"-A", "-f", "7", "-s", "mh", "-b", "mh-fallback"}).exit_code, 0);
  const Output saved = vsadm({"-S", "-n"});
  ASSERT_EQ(saved.exit_code, 0);
  EXPECT_NE(saved.out.find("--tun-type gue --tun-port 6080 --tun-csum"), std::string::npos)
      << saved.out;
  ASSERT_EQ(vsadm({"-C"}).exit_code, 0);
  EXPECT_EQ(vsadm({"-S", "-n"}).out, "");
  const Output restored = vsadm({"-R"}, saved.out);
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(vsadm({"-S", "-n"}).out, saved.out);
}

TEST_F(VsadmWithDaemon, ReloadKeepsWhatTheFileDidNotChange) {
  ASSERT_EQ(vsadm({"-Z"}).exit_code, 0);
  std::ofstream(config_) << "virtual_server 192.168.2.11 80 {\n  lb_algo rr\n  lb_kind NAT\n"
                            "  real_server 10.10.10.11 80 { weight 1 }\n"
                            "  real_server 10.10.10.13 80 { weight 4 }\n}\n";
  kill(daemon_, SIGHUP);
  std::string listing;
  for (int i = 0; i < 100; ++i) {
    listing = vsadm({"-L", "-n"}).out;
    if (listing.find("10.10.10.13") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(listing.find("  -> 10.10.10.13:80               Masq    4 "), std::string::npos)
      << listing;
}

}  // namespace
}  // namespace vsd

// End to end (keepalived's check/ behaviour as a user sees it): vsd with a keepalived.conf using
// HTTP_GET, TCP_CHECK and MISC_CHECK against three nginx real servers, each in a network
// namespace this test creates; membership is read through the daemon's control API. Needs root
// and nginx; otherwise skipped.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "api/client.h"
#include "api/schema.h"
#include "health/http_message.h"

namespace vsd {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int sh(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

pid_t spawn(const std::vector<std::string>& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

void stop(pid_t& pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  for (int i = 0; i < 50 && waitpid(pid, nullptr, WNOHANG) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  if (waitpid(pid, nullptr, WNOHANG) == 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  pid = -1;
}

class HealthLab : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    if (sh("command -v nginx") != 0) GTEST_SKIP() << "needs nginx (make deps installs it)";
    tag_ = "vh" + std::to_string(getpid() % 100000);
    dir_ = fs::temp_directory_path() / ("vsd-health-lab-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    for (int i = 1; i <= 3; ++i) {
      const std::string ns = tag_ + "-" + std::to_string(i), veth = tag_ + "h" + std::to_string(i);
      ASSERT_EQ(sh("ip netns add " + ns), 0);
      namespaces_.push_back(ns);
      ASSERT_EQ(sh("ip link add " + veth + " type veth peer name eth0 netns " + ns), 0);
      links_.push_back(veth);
      ASSERT_EQ(sh("ip addr add " + host_ip(i) + "/24 dev " + veth + " && ip link set " + veth +
                   " up && ip netns exec " + ns + " ip addr add " + server_ip(i) +
                   "/24 dev eth0 && ip netns exec " + ns +
                   " ip link set eth0 up && ip netns exec " + ns + " ip link set lo up"),
                0);
      const fs::path root = dir_ / ("www" + std::to_string(i));
      fs::create_directories(root);
      std::ofstream(root / "index.html") << "server " << i << "\n";
      std::ofstream(dir_ / ("nginx" + std::to_string(i) + ".conf"))
          << "user root;\nworker_processes 1;\npid "
          << (dir_ / ("nginx" + std::to_string(i) + ".pid")).string() << ";\nerror_log "
          << (dir_ / "error.log").string()
          << ";\nevents { worker_connections 64; }\nhttp {\n access_log off;\n server {\n  listen "
          << server_ip(i) << ":80;\n  root " << root.string() << ";\n }\n}\n";
      start_nginx(i);
    }
    std::ofstream(dir_ / "weight") << "0\n";
    write_config();
    socket_ = (dir_ / "vsd.sock").string();
    vsd_ = spawn(
        {VSD_BINARY, "-n", "-l", "-f", (dir_ / "keepalived.conf").string(), "--socket", socket_});
    for (int i = 0; i < 50 && !fs::exists(socket_); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  void TearDown() override {
    stop(vsd_);
    for (auto& [i, pid] : nginx_) stop(pid);
    for (const auto& l : links_) sh("ip link del " + l);
    for (const auto& ns : namespaces_) sh("ip netns del " + ns);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string host_ip(int i) const { return "10.213." + std::to_string(i) + ".1"; }
  std::string server_ip(int i) const { return "10.213." + std::to_string(i) + ".2"; }

  void start_nginx(int i) {
    const std::string ns = tag_ + "-" + std::to_string(i);
    nginx_[i] =
        spawn({"ip", "netns", "exec", ns, "nginx", "-c",
               (dir_ / ("nginx" + std::to_string(i) + ".conf")).string(), "-g", "daemon off;"});
  }

  void write_config() {
    const std::string digest = health::md5_hex("server 1\n");
    std::ofstream(dir_ / "keepalived.conf")
        << "virtual_server 10.0.0.1 80 {\n delay_loop 1\n lb_algo wrr\n lb_kind NAT\n"
        << " real_server " << server_ip(1) << " 80 {\n  weight 1\n  HTTP_GET {\n   url { path /\n"
        << "    digest " << digest << " }\n   connect_timeout 1\n   retry 0\n  }\n }\n"
        << " real_server " << server_ip(2) << " 80 {\n  weight 2\n  TCP_CHECK {\n"
        << "   connect_timeout 1\n   retry 0\n  }\n }\n"
        << " real_server " << server_ip(3) << " 80 {\n  weight 3\n  MISC_CHECK {\n"
        << "   misc_path \"/bin/sh -c 'exit $(cat " << (dir_ / "weight").string() << ")'\"\n"
        << "   misc_dynamic\n   misc_timeout 1\n   retry 0\n  }\n }\n}\n"
        << "virtual_server 10.0.0.2 80 {\n delay_loop 1\n lb_kind NAT\n quorum 1\n"
        << " sorry_server 192.0.2.99 80\n"
        << " real_server " << server_ip(2) << " 80 {\n  TCP_CHECK {\n   connect_timeout 1\n"
        << "   retry 0\n  }\n }\n}\n";
  }

  // address -> weight of each destination of the service at `vip`.
  std::map<std::string, int64_t> members(const std::string& vip) {
    std::map<std::string, int64_t> out;
    auto client = api::Client::connect(socket_, seconds(2));
    if (!client.ok()) return out;
    auto r = client->call(api::op::list);
    if (!r.ok()) return out;
    for (const auto& s : (*r)["services"])
      if (s["service"].value("address", "") == vip)
        for (const auto& d : s["destinations"]) out[d["address"]] = d["weight"];
    return out;
  }

  // Polls until `pred` holds; returns how long it took, or nullopt after `limit`.
  template <class Pred>
  std::optional<Clock::duration> within(Clock::duration limit, Pred pred) {
    const auto start = Clock::now();
    while (Clock::now() - start < limit) {
      if (pred()) return Clock::now() - start;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return std::nullopt;
  }

  std::string tag_;
  fs::path dir_;
  std::string socket_;
  std::vector<std::string> namespaces_, links_;
  std::map<int, pid_t> nginx_;
  pid_t vsd_ = -1;
};

// delay_loop 1 + connect_timeout 1 = 2 s by the retry policy, plus 2 s of scheduling slack: the
// suite runs in parallel with other tests on two cores, where a check can start late.
constexpr auto kDetectionBound = std::chrono::milliseconds(4000);

TEST_F(HealthLab, FailedServerLeavesAndReturnsWithinTheRetryPolicy) {
  ASSERT_TRUE(within(std::chrono::seconds(5), [&] { return members("10.0.0.1").size() == 3; }));
  stop(nginx_[2]);
  // retry 0: removed by the next check (at most delay_loop away) plus connect_timeout, 2 s in
  // all; kDetectionBound adds room for a control thread starved on a loaded 2-core CI machine.
  const auto removed =
      within(kDetectionBound, [&] { return !members("10.0.0.1").contains(server_ip(2)); });
  ASSERT_TRUE(removed) << "a stopped nginx must leave the pool within delay_loop + connect_timeout";
  EXPECT_EQ(members("10.0.0.1").size(), 2u);
  start_nginx(2);
  EXPECT_TRUE(
      within(std::chrono::seconds(4), [&] { return members("10.0.0.1").contains(server_ip(2)); }));
  EXPECT_EQ(members("10.0.0.1").at(server_ip(2)), 2) << "back at its configured weight";
}

TEST_F(HealthLab, DigestMismatchMarksTheServerDown) {
  ASSERT_TRUE(within(std::chrono::seconds(5), [&] { return members("10.0.0.1").size() == 3; }));
  std::ofstream(dir_ / "www1" / "index.html") << "defaced\n";
  EXPECT_TRUE(within(kDetectionBound, [&] { return !members("10.0.0.1").contains(server_ip(1)); }));
}

TEST_F(HealthLab, MiscDynamicChangesTheWeight) {
  ASSERT_TRUE(within(std::chrono::seconds(5), [&] { return members("10.0.0.1").size() == 3; }));
  std::ofstream(dir_ / "weight") << "9\n";
  EXPECT_TRUE(within(kDetectionBound, [&] {
    auto m = members("10.0.0.1");
    return m.contains(server_ip(3)) && m.at(server_ip(3)) == 7;
  })) << "exit 9 with misc_dynamic sets weight 9 - 2";
}

TEST_F(HealthLab, LosingQuorumSendsClientsToTheSorryServer) {
  ASSERT_TRUE(within(std::chrono::seconds(5), [&] { return members("10.0.0.2").size() == 1; }));
  EXPECT_FALSE(members("10.0.0.2").contains("192.0.2.99"));
  stop(nginx_[2]);
  EXPECT_TRUE(within(kDetectionBound, [&] {
    auto m = members("10.0.0.2");
    return m.size() == 1 && m.contains("192.0.2.99");
  }));
  start_nginx(2);
  EXPECT_TRUE(within(std::chrono::seconds(4), [&] {
    auto m = members("10.0.0.2");
    return m.size() == 1 && m.contains(server_ip(2));
  }));
}

}  // namespace
}  // namespace vsd

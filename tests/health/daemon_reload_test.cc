// The vsd binary as an operator runs it (keepalived's check/check_daemon.c reload_check_thread
// and check_api.c migrate_checkers: a SIGHUP keeps unchanged checkers, "Do not re-add failed RS
// instantly on reload"; core/smtp.c: the alert mail): real servers on loopback, one of them
// refusing connections, an SMTP sink in this process. Needs no root.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "api/client.h"
#include "api/schema.h"
#include "smtp_sink.h"

namespace vsd {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// A loopback TCP socket bound to a free port: refuses connections until listen().
struct LoopbackPort {
  LoopbackPort() {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    socklen_t len = sizeof(sa);
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    port = ntohs(sa.sin_port);
  }
  ~LoopbackPort() { close(fd); }
  void open() { listen(fd, 512); }
  int fd;
  uint16_t port;
};

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class DaemonReload : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("vsd-reload-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    up_.open();
    std::ofstream(dir_ / "keepalived.conf")
        << "global_defs {\n notification_email {\n  ops@example.org\n }\n"
        << " notification_email_from vsd@director.test\n smtp_server 127.0.0.1 " << sink_.port()
        << "\n router_id VSD_TEST\n}\n"
        << "virtual_server 10.0.0.1 80 {\n delay_loop 1\n lb_kind NAT\n"
        << " real_server 127.0.0.1 " << up_.port << " {\n  TCP_CHECK {\n   connect_timeout 1\n"
        << "   retry 0\n  }\n }\n"
        << " real_server 127.0.0.1 " << down_.port << " {\n  TCP_CHECK {\n   connect_timeout 1\n"
        << "   retry 0\n  }\n }\n}\n";
    socket_ = (dir_ / "vsd.sock").string();
    vsd_ = fork();
    if (vsd_ == 0) {
      const int log = ::open((dir_ / "vsd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(log, 2);
      execl(VSD_BINARY, VSD_BINARY, "-n", "-l", "-f", (dir_ / "keepalived.conf").c_str(),
            "--socket", socket_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }

  void TearDown() override {
    if (vsd_ > 0) {
      kill(vsd_, SIGTERM);
      waitpid(vsd_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  std::string log() const {
    std::ifstream in(dir_ / "vsd.log");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  template <class Pred>
  bool within(std::chrono::milliseconds limit, Pred pred) const {
    for (const auto end = Clock::now() + limit; Clock::now() < end;) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return pred();
  }

  bool member(uint16_t port) const {
    auto client = api::Client::connect(socket_, seconds(2));
    if (!client.ok()) return false;
    auto r = client->call(api::op::list);
    if (!r.ok()) return false;
    for (const auto& s : (*r)["services"])
      for (const auto& d : s["destinations"])
        if (d.value("port", 0) == port) return true;
    return false;
  }

  std::string down_name() const { return "[127.0.0.1]:tcp:" + std::to_string(down_.port); }

  health::SmtpSink sink_;
  LoopbackPort up_, down_;
  fs::path dir_;
  std::string socket_;
  pid_t vsd_ = -1;
};

TEST_F(DaemonReload, SighupKeepsAFailedServerOutWithoutFlapping) {
  ASSERT_TRUE(within(std::chrono::seconds(5), [&] {
    return log().find("Removing service " + down_name()) != std::string::npos;
  })) << log();
  ASSERT_TRUE(within(std::chrono::seconds(2), [&] { return !member(down_.port); }));
  ASSERT_TRUE(member(up_.port));

  kill(vsd_, SIGHUP);
  ASSERT_TRUE(within(std::chrono::seconds(3), [&] {
    return log().find("SIGHUP: ") != std::string::npos;
  })) << log();
  // Two more check periods: a restarted checker would have put the server back first.
  for (int i = 0; i < 25; ++i) {
    EXPECT_FALSE(member(down_.port)) << "the failed server came back on reload";
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const std::string text = log();
  EXPECT_EQ(count(text, "Removing service " + down_name()), 1u) << text;
  EXPECT_EQ(count(text, "Adding service"), 0u) << text;
  EXPECT_EQ(count(text, "Activating healthchecker"), 2u) << "only at start: " << text;
  EXPECT_TRUE(member(up_.port));
}

TEST_F(DaemonReload, ServerGoingDownAndUpIsMailed) {
  const std::string subject =
      "Subject: [VSD_TEST] Realserver " + down_name() + " of virtual server [10.0.0.1]:tcp:80 - ";
  ASSERT_TRUE(within(std::chrono::seconds(5), [&] { return sink_.messages().size() == 1; }))
      << log();
  EXPECT_THAT(sink_.messages()[0], HasSubstr(subject + "DOWN\r\n"));
  EXPECT_THAT(sink_.messages()[0], HasSubstr("\r\n=> TCP CHECK failed on service <=\r\n"));
  EXPECT_THAT(sink_.commands(), ::testing::Contains("RCPT TO:<ops@example.org>"));

  down_.open();
  ASSERT_TRUE(within(std::chrono::seconds(4), [&] { return sink_.messages().size() == 2; }))
      << log();
  EXPECT_THAT(sink_.messages()[1], HasSubstr(subject + "UP\r\n"));
  EXPECT_THAT(sink_.messages()[1], HasSubstr("\r\n=> TCP CHECK succeed on service <=\r\n"));
  EXPECT_TRUE(within(std::chrono::seconds(1), [&] { return member(down_.port); }));
  EXPECT_THAT(log(), HasSubstr("SMTP alert successfully sent."));
}

}  // namespace
}  // namespace vsd

// Each checker against a real server on loopback, as keepalived's check_tcp.c, check_http.c,
// check_ssl.c, check_misc.c, check_udp.c, check_smtp.c and check_ping.c judge them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "config/parser.h"
#include "health/checker_settings.h"
#include "health/http_message.h"
#include "health/loop_io.h"
#include "health/script_runner.h"

namespace vsd::health {
namespace {

// A loopback server on its own thread: answers each connection (or datagram) with `reply(in)`.
class LoopbackServer {
 public:
  LoopbackServer(int type, std::function<std::string(const std::string&)> reply,
                 bool greet_first = false)
      : type_(type), reply_(std::move(reply)), greet_first_(greet_first) {
    fd_ = socket(AF_INET, type, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
    socklen_t len = sizeof(sa);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    timeval tv{0, 100'000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (type == SOCK_STREAM) listen(fd_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  void serve() {
    char buffer[4096];
    while (!stop_) {
      if (type_ == SOCK_DGRAM) {
        sockaddr_in from{};
        socklen_t len = sizeof(from);
        const ssize_t n =
            recvfrom(fd_, buffer, sizeof(buffer), 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n <= 0) continue;
        const std::string out = reply_(std::string(buffer, static_cast<size_t>(n)));
        sendto(fd_, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        continue;
      }
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval tv{1, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      if (greet_first_) {
        // a line protocol (SMTP): answer each line until the peer closes
        std::string greeting = reply_("");
        send(c, greeting.data(), greeting.size(), MSG_NOSIGNAL);
        ssize_t n;
        while ((n = recv(c, buffer, sizeof(buffer), 0)) > 0) {
          const std::string out = reply_(std::string(buffer, static_cast<size_t>(n)));
          send(c, out.data(), out.size(), MSG_NOSIGNAL);
        }
      } else {
        std::string request;
        ssize_t n;
        while (request.find("\r\n\r\n") == std::string::npos &&
               (n = recv(c, buffer, sizeof(buffer), 0)) > 0)
          request.append(buffer, static_cast<size_t>(n));
        const std::string out = reply_(request);
        send(c, out.data(), out.size(), MSG_NOSIGNAL);
      }
      close(c);
    }
  }

  int type_;
  std::function<std::string(const std::string&)> reply_;
  bool greet_first_;
  int fd_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::string http_reply(int status, const std::string& body) {
  return "HTTP/1.0 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Parses one checker block for a real server 127.0.0.1:port and runs one check on a live loop.
ProbeResult check(const std::string& block, uint16_t port) {
  const std::string text = "virtual_server 10.0.0.1 80 {\n lb_kind NAT\n real_server 127.0.0.1 " +
                           std::to_string(port) + " {\n" + block + "\n }\n}\n";
  config::Diagnostics d;
  auto configuration = config::parse_text(text, "test.conf", {}, d);
  EXPECT_TRUE(configuration) << (d.errors().empty() ? "" : d.errors()[0]);
  if (!configuration) return {};
  const auto& vs = configuration->virtual_servers.at(0);
  const auto& rs = vs.real_servers.at(0);
  auto settings = read_checker(rs.checkers.at(0), vs, rs, d);
  EXPECT_TRUE(settings) << (d.errors().empty() ? "" : d.errors()[0]);
  if (!settings) return {};
  EventLoop loop;
  LoopIo io(loop);
  ScriptRunner scripts(io);
  auto probe = settings->spec->make(settings->target, ProbeEnv{io, scripts});
  std::optional<ProbeResult> result;
  probe->start([&](ProbeResult r) {
    result = std::move(r);
    loop.stop();
  });
  const auto deadline = io.after(settings->timing.connect_timeout, [&] {
    probe->cancel();
    result = probe->at_deadline();
    loop.stop();
  });
  if (!result) (void)loop.run();
  io.cancel(deadline);
  return result.value_or(ProbeResult{});
}

uint16_t closed_port() {
  LoopbackServer gone(SOCK_STREAM, [](const std::string&) { return ""; });
  return gone.port();  // closed when `gone` is destroyed below
}

TEST(TcpCheck, ConnectsToAListenerAndFailsOnAClosedPort) {
  LoopbackServer server(SOCK_STREAM, [](const std::string&) { return ""; });
  EXPECT_TRUE(check("TCP_CHECK { connect_timeout 2 }", server.port()).ok);
  const uint16_t port = closed_port();
  const auto refused = check("TCP_CHECK { connect_timeout 2 }", port);
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.detail.find("refused"), std::string::npos) << refused.detail;
}

TEST(TcpCheck, ConnectPortOverridesTheRealServerPort) {
  LoopbackServer server(SOCK_STREAM, [](const std::string&) { return ""; });
  EXPECT_TRUE(
      check("TCP_CHECK { connect_port " + std::to_string(server.port()) + " }", closed_port()).ok);
}

// check_tcp.c / layer4.c: bindto and bind_port set the probe's source address and port. The
// listener sees them as its peer.
TEST(TcpCheck, BindtoAndBindPortAreTheSourceTheServerSees) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t len = sizeof(sa);
  getsockname(listener, reinterpret_cast<sockaddr*>(&sa), &len);
  // A free source port: bound once and released.
  const int probe_port_owner = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in free_port{};
  free_port.sin_family = AF_INET;
  free_port.sin_addr.s_addr = htonl(0x7f000002);
  ASSERT_EQ(bind(probe_port_owner, reinterpret_cast<sockaddr*>(&free_port), sizeof(free_port)), 0);
  len = sizeof(free_port);
  getsockname(probe_port_owner, reinterpret_cast<sockaddr*>(&free_port), &len);
  const uint16_t source_port = ntohs(free_port.sin_port);
  close(probe_port_owner);

  EXPECT_TRUE(check("TCP_CHECK { bindto 127.0.0.2\n bind_port " + std::to_string(source_port) +
                        "\n connect_timeout 2 }",
                    ntohs(sa.sin_port))
                  .ok);
  sockaddr_in peer{};
  len = sizeof(peer);
  const int accepted = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK);
  ASSERT_GE(accepted, 0) << "the check connected";
  EXPECT_EQ(ntohl(peer.sin_addr.s_addr), 0x7f000002u) << "bindto";
  EXPECT_EQ(ntohs(peer.sin_port), source_port) << "bind_port";
  close(accepted);

  // bindto alone: the address is kept, the kernel picks the port.
  EXPECT_TRUE(check("TCP_CHECK { bindto 127.0.0.3\n connect_timeout 2 }", ntohs(sa.sin_port)).ok);
  len = sizeof(peer);
  const int second = accept4(listener, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_NONBLOCK);
  ASSERT_GE(second, 0);
  EXPECT_EQ(ntohl(peer.sin_addr.s_addr), 0x7f000003u);
  close(second);
  close(listener);
}

TEST(HttpGet, StatusCodeAndDigestDecide) {
  std::string seen_request;
  LoopbackServer server(SOCK_STREAM, [&](const std::string& request) {
    seen_request = request;
    return request.starts_with("GET /missing") ? http_reply(404, "no") : http_reply(200, "hello");
  });
  const std::string good_digest = md5_hex("hello");
  EXPECT_TRUE(check("HTTP_GET { url { path /index.html\n digest " + good_digest +
                        " }\n connect_timeout 2 }",
                    server.port())
                  .ok);
  EXPECT_NE(seen_request.find("GET /index.html HTTP/1.0\r\n"), std::string::npos);
  EXPECT_NE(seen_request.find("Host: 127.0.0.1:" + std::to_string(server.port())),
            std::string::npos);
  const auto wrong =
      check("HTTP_GET { url { path /\n digest 00000000000000000000000000000000 } }", server.port());
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.detail.find("MD5 digest error"), std::string::npos) << wrong.detail;
  EXPECT_FALSE(check("HTTP_GET { url { path /missing } }", server.port()).ok);
  EXPECT_TRUE(check("HTTP_GET { url { path /missing\n status_code 400-499 } }", server.port()).ok);
}

TEST(HttpGet, Http11SendsVirtualHostAndConnectionClose) {
  std::string seen_request;
  LoopbackServer server(SOCK_STREAM, [&](const std::string& request) {
    seen_request = request;
    return std::string(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  });
  EXPECT_TRUE(check("HTTP_GET { http_protocol 1.1\n virtualhost www.example.com\n url { path /\n "
                    "digest " +
                        md5_hex("hello") + " } }",
                    server.port())
                  .ok);
  EXPECT_NE(seen_request.find("GET / HTTP/1.1\r\n"), std::string::npos);
  EXPECT_NE(seen_request.find("Host: www.example.com:"), std::string::npos);
  EXPECT_NE(seen_request.find("Connection: close"), std::string::npos);
}

TEST(HttpGet, AServerThatNeverAnswersTimesOut) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  listen(fd, 4);  // accepts (in the kernel) but never replies
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  const auto r = check("HTTP_GET { url { path / }\n connect_timeout 0.3 }", ntohs(sa.sin_port));
  close(fd);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.detail, "timeout");
}

TEST(MiscCheck, ExitStatusAndDynamicWeight) {
  EXPECT_TRUE(check("MISC_CHECK { misc_path \"/bin/sh -c 'exit 0'\" }", 80).ok);
  EXPECT_FALSE(check("MISC_CHECK { misc_path \"/bin/sh -c 'exit 1'\" }", 80).ok);
  EXPECT_FALSE(check("MISC_CHECK { misc_path \"/bin/sh -c 'exit 7'\" }", 80).ok)
      << "without misc_dynamic every non-zero status fails";
  const auto dynamic = check("MISC_CHECK { misc_path \"/bin/sh -c 'exit 7'\"\n misc_dynamic }", 80);
  EXPECT_TRUE(dynamic.ok);
  EXPECT_EQ(dynamic.weight, 5) << "keepalived: weight = status - 2";
}

TEST(MiscCheck, AScriptPastMiscTimeoutFailsAndIsKilled) {
  const auto started = std::chrono::steady_clock::now();
  const auto r = check("MISC_CHECK { misc_path \"sleep 30\"\n misc_timeout 0.3 }", 80);
  EXPECT_FALSE(r.ok);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

TEST(UdpCheck, ReplyRequiredOrOnlyNoIcmpError) {
  LoopbackServer echo(SOCK_DGRAM, [](const std::string& in) { return "ok:" + in; });
  EXPECT_TRUE(
      check("UDP_CHECK { payload 6869\n require_reply 6f6b\n connect_timeout 1 }", echo.port()).ok);
  EXPECT_FALSE(
      check("UDP_CHECK { payload 6869\n require_reply 7878\n connect_timeout 1 }", echo.port()).ok);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);  // a port nobody reads: ICMP port unreachable
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
  socklen_t len = sizeof(sa);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  close(fd);
  EXPECT_FALSE(check("UDP_CHECK { payload 6869\n connect_timeout 0.5 }", ntohs(sa.sin_port)).ok);
}

TEST(SmtpCheck, GreetingThenHelo) {
  std::string helo;
  LoopbackServer smtp(
      SOCK_STREAM,
      [&](const std::string& in) -> std::string {
        if (in.empty()) return "220 test ESMTP\r\n";
        if (in.starts_with("HELO")) {
          helo = in;
          return "250 hello\r\n";
        }
        return "221 bye\r\n";
      },
      true);
  EXPECT_TRUE(
      check("SMTP_CHECK { helo_name director.example\n connect_timeout 2 }", smtp.port()).ok);
  EXPECT_EQ(helo, "HELO director.example\r\n");
}

TEST(DnsCheck, AnswerWithMatchingIdPasses) {
  LoopbackServer dns(SOCK_DGRAM, [](const std::string& q) {
    std::string r = q;
    r[2] = static_cast<char>(0x81);
    r[3] = static_cast<char>(0x80);
    r[7] = 1;  // one answer (its body is not inspected)
    return r;
  });
  EXPECT_TRUE(check("DNS_CHECK { type A\n name example.com\n connect_timeout 1 }", dns.port()).ok);
}

TEST(PingCheck, LoopbackAnswersEcho) {
  if (geteuid() != 0) GTEST_SKIP() << "PING_CHECK needs root (ping socket)";
  EXPECT_TRUE(check("PING_CHECK { connect_timeout 1 }", 0).ok);
  EXPECT_TRUE(check("ICMP_CHECK { connect_timeout 1 }", 0).ok) << "the old name";
}

TEST(CheckerSettings, ErrorsCarryFileAndLine) {
  config::Diagnostics d;
  auto configuration = config::parse_text(
      "virtual_server 10.0.0.1 80 {\n lb_kind NAT\n real_server 10.0.0.2 80 {\n  HTTP_GET {\n"
      "   url { path /\n digest xyz }\n   retry many\n  }\n }\n}\n",
      "k.conf", {}, d);
  ASSERT_TRUE(configuration);
  const auto& vs = configuration->virtual_servers.at(0);
  EXPECT_FALSE(read_checker(vs.real_servers[0].checkers[0], vs, vs.real_servers[0], d));
  ASSERT_EQ(d.errors().size(), 2u);
  EXPECT_TRUE(d.errors()[0].starts_with("k.conf:6:")) << d.errors()[0];
  EXPECT_TRUE(d.errors()[1].starts_with("k.conf:7:")) << d.errors()[1];
}

// keepalived's check_parser.c: delay_loop, retry, delay_before_retry, connect_timeout and warmup
// at real_server or virtual_server level; the checker's own win, then the real server's.
TEST(CheckerSettings, TimingInheritsFromRealServerThenVirtualServer) {
  config::Diagnostics d;
  auto configuration = config::parse_text(
      "virtual_server 10.0.0.1 80 {\n lb_kind NAT\n delay_loop 7\n retry 4\n"
      " delay_before_retry 2.5\n connect_timeout 9\n warmup 11\n"
      " real_server 10.0.0.2 80 {\n  retry 6\n  connect_timeout 3\n  alpha\n"
      "  TCP_CHECK {\n   connect_timeout 1.5\n  }\n  TCP_CHECK {\n  }\n }\n"
      " real_server 10.0.0.3 80 {\n  TCP_CHECK {\n   nb_get_retry 2\n  }\n }\n"
      " real_server 10.0.0.4 80 {\n  delay_loop 13\n  warmup 0\n  TCP_CHECK {\n  }\n }\n}\n",
      "t.conf", {}, d);
  ASSERT_TRUE(configuration) << (d.errors().empty() ? "" : d.errors()[0]);
  const auto& vs = configuration->virtual_servers.at(0);
  auto timing = [&](size_t server, size_t checker) {
    const auto& rs = vs.real_servers.at(server);
    auto settings = read_checker(rs.checkers.at(checker), vs, rs, d);
    EXPECT_TRUE(settings);
    return settings ? settings->timing : CheckTiming{};
  };
  const CheckTiming own = timing(0, 0);
  EXPECT_EQ(own.connect_timeout, milliseconds(1500)) << "the checker's own";
  EXPECT_EQ(own.retry, 6u) << "the real server's";
  EXPECT_EQ(own.delay_loop, seconds(7)) << "the virtual server's";
  EXPECT_EQ(own.delay_before_retry, milliseconds(2500));
  EXPECT_EQ(own.first_check_bound(), seconds(11));
  EXPECT_TRUE(own.alpha) << "real_server alpha";
  EXPECT_EQ(timing(0, 1).connect_timeout, seconds(3)) << "the real server's";
  const CheckTiming vs_only = timing(1, 0);
  EXPECT_EQ(vs_only.connect_timeout, seconds(9));
  EXPECT_EQ(vs_only.retry, 2u) << "nb_get_retry in the checker beats the virtual server's retry";
  EXPECT_FALSE(vs_only.alpha);
  const CheckTiming rs_loop = timing(2, 0);
  EXPECT_EQ(rs_loop.delay_loop, seconds(13));
  EXPECT_EQ(rs_loop.first_check_bound(), Duration{0});
  EXPECT_EQ(rs_loop.retry, 4u);
  EXPECT_TRUE(d.warnings().empty()) << d.warnings()[0];
}

TEST(CheckerSettings, DefaultsWithoutInheritedTiming) {
  config::Diagnostics d;
  auto configuration = config::parse_text(
      "virtual_server 10.0.0.1 80 {\n lb_kind NAT\n real_server 10.0.0.2 80 {\n"
      "  TCP_CHECK {\n  }\n }\n}\n",
      "t.conf", {}, d);
  ASSERT_TRUE(configuration);
  const auto& vs = configuration->virtual_servers.at(0);
  auto settings = read_checker(vs.real_servers[0].checkers[0], vs, vs.real_servers[0], d);
  ASSERT_TRUE(settings);
  EXPECT_EQ(settings->timing.delay_loop, seconds(60));
  EXPECT_EQ(settings->timing.connect_timeout, seconds(5));
  EXPECT_EQ(settings->timing.retry, 1u);
  EXPECT_EQ(settings->timing.delay_before_retry, seconds(1));
  EXPECT_EQ(settings->timing.first_check_bound(), seconds(60));
}

TEST(CheckerSettings, ZeroInheritedRetryOrTimeoutIsALocatedError) {
  config::Diagnostics d;
  auto configuration = config::parse_text(
      "virtual_server 10.0.0.1 80 {\n lb_kind NAT\n retry 0\n real_server 10.0.0.2 80 {\n"
      "  connect_timeout 0\n  TCP_CHECK {\n  }\n }\n}\n",
      "z.conf", {}, d);
  EXPECT_FALSE(configuration);
  ASSERT_EQ(d.errors().size(), 2u);
  EXPECT_TRUE(d.errors()[0].starts_with("z.conf:3:")) << d.errors()[0];
  EXPECT_TRUE(d.errors()[1].starts_with("z.conf:5:")) << d.errors()[1];
}

}  // namespace
}  // namespace vsd::health

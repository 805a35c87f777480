// SMTP_CHECK (keepalived's check_smtp.c): connect, expect the 220 greeting, send
// "HELO helo_name", expect 250, send QUIT. Any other reply fails the check.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "config/values.h"
#include "health/checkers.h"
#include "health/socket.h"

namespace vsd::health {
namespace {

class SmtpProbe final : public Probe {
 public:
  SmtpProbe(std::string helo, const ConnectTarget& target, Io& io)
      : helo_(std::move(helo)), target_(target), socket_(io) {}

  void start(Done done) override {
    done_ = std::move(done);
    stage_ = 0;
    input_.clear();
    const int error =
        socket_.open(target_, SOCK_STREAM, 0, EPOLLIN, [this](uint32_t) { readable(); });
    if (error) finish(false, std::string("connection failed: ") + std::strerror(error));
  }
  void cancel() override { socket_.reset(); }

 private:
  void readable() {
    if (int error = socket_.connect_error())
      return finish(false, std::string("connection failed: ") + std::strerror(error));
    char buffer[4096];
    const ssize_t n = ::recv(socket_.fd(), buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) return finish(false, "SMTP server closed the connection");
    input_.append(buffer, static_cast<size_t>(n));
    // A reply ends with a line whose code is followed by a space ("250 ok", not "250-...").
    for (;;) {
      const auto eol = input_.find("\r\n");
      if (eol == std::string::npos) return;
      const std::string line = input_.substr(0, eol);
      input_.erase(0, eol + 2);
      if (line.size() >= 4 && line[3] == '-') continue;
      if (!reply(line)) return;
    }
  }

  // False when the exchange ended.
  bool reply(const std::string& line) {
    const char* expected = stage_ == 0 ? "220" : "250";
    if (!line.starts_with(expected)) {
      finish(false, "SMTP unexpected reply: " + line);
      return false;
    }
    if (stage_ == 1) {
      send("QUIT\r\n");
      finish(true, "");
      return false;
    }
    stage_ = 1;
    send("HELO " + helo_ + "\r\n");
    return true;
  }
  void send(const std::string& text) {
    [[maybe_unused]] auto n = ::send(socket_.fd(), text.data(), text.size(), MSG_NOSIGNAL);
  }
  void finish(bool ok, std::string detail) {
    socket_.reset();
    done_(ProbeResult{ok, std::move(detail), {}});
  }

  std::string helo_;
  ConnectTarget target_;
  Socket socket_;
  Done done_;
  int stage_ = 0;
  std::string input_;
};

class SmtpSpec final : public ProbeSpec {
 public:
  SmtpSpec() {
    char host[256] = {};
    gethostname(host, sizeof(host) - 1);
    helo_ = host;
  }
  bool read(const config::Node& s, config::Diagnostics& d) override {
    if (s.name() != "helo_name") return false;
    if (auto v = config::string_arg(s, 0, d)) helo_ = *v;
    return true;
  }
  std::unique_ptr<Probe> make(const ConnectTarget& target, ProbeEnv env) const override {
    return std::make_unique<SmtpProbe>(helo_, target, env.io);
  }

 private:
  std::string helo_;
};

}  // namespace

std::unique_ptr<ProbeSpec> smtp_check_spec() {
  return std::make_unique<SmtpSpec>();
}

}  // namespace vsd::health

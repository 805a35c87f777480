#pragma once

// A tiny SMTP server on loopback, on its own thread, that records what a client sends: each
// command line and each message (what came between DATA and the closing dot). It answers as a
// mail server does (a multi-line 250 to HELO, 354 to DATA) unless told to refuse recipients or to
// stay silent after accepting the connection.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vsd::health {

class SmtpSink {
 public:
  enum class Mode { accept, refuse_recipients, silent };

  explicit SmtpSink(Mode mode = Mode::accept) : mode_(mode) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa));
    socklen_t len = sizeof(sa);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    listen(listener_, 16);
    thread_ = std::thread([this] { serve(); });
  }
  ~SmtpSink() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  uint16_t port() const { return port_; }
  std::vector<std::string> commands() const {
    std::lock_guard lock(mutex_);
    return commands_;
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  int connections() const { return connections_; }

 private:
  bool wait_readable(int fd) const {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 50) > 0) return true;
    }
    return false;
  }

  void serve() {
    while (wait_readable(listener_)) {
      const int c = accept(listener_, nullptr, nullptr);
      if (c < 0) continue;
      ++connections_;
      converse(c);
      close(c);
    }
  }

  void say(int c, const std::string& text) const {
    [[maybe_unused]] auto n = ::send(c, text.data(), text.size(), MSG_NOSIGNAL);
  }

  // One line (without CRLF) from the client; false when it hung up or the sink stops.
  bool line(int c, std::string& buffer, std::string& out) const {
    for (;;) {
      if (auto eol = buffer.find("\r\n"); eol != std::string::npos) {
        out = buffer.substr(0, eol);
        buffer.erase(0, eol + 2);
        return true;
      }
      if (!wait_readable(c)) return false;
      char chunk[1024];
      const ssize_t n = recv(c, chunk, sizeof(chunk), 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
    }
  }

  void converse(int c) {
    if (mode_ == Mode::silent) {
      std::string ignored, buffer;
      while (line(c, buffer, ignored)) {
      }
      return;
    }
    say(c, "220 sink.test ESMTP\r\n");
    std::string buffer, command;
    while (line(c, buffer, command)) {
      {
        std::lock_guard lock(mutex_);
        commands_.push_back(command);
      }
      if (command.starts_with("HELO")) {
        say(c, "250-sink.test greets you\r\n250 HELP\r\n");
      } else if (command.starts_with("RCPT") && mode_ == Mode::refuse_recipients) {
        say(c, "550 no such user\r\n");
      } else if (command.starts_with("DATA")) {
        say(c, "354 go ahead\r\n");
        std::string message, text;
        while (line(c, buffer, text) && text != ".") message += text + "\r\n";
        {
          std::lock_guard lock(mutex_);
          messages_.push_back(message);
        }
        say(c, "250 queued\r\n");
      } else if (command.starts_with("QUIT")) {
        say(c, "221 bye\r\n");
        return;
      } else {
        say(c, "250 ok\r\n");
      }
    }
  }

  Mode mode_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> commands_, messages_;
  std::thread thread_;
};

}  // namespace vsd::health

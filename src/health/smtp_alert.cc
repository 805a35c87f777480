// E-mail alerts as keepalived's core/smtp.c sends them: the same dialogue, headers, defaults and
// log lines; the code is ours.
#include "health/smtp_alert.h"

#include <netdb.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>

#include "config/values.h"
#include "health/socket.h"

namespace vsd::health {

namespace {

constexpr uint16_t kSmtpPort = 25;
constexpr size_t kMaxReply = 4096;  // a longer reply is not an SMTP server talking

std::string host_text(const Endpoint& server) {
  return "[" + server.address.to_string() + "]:" + std::to_string(server.port);
}

// keepalived resolves a host name when it reads the configuration, and so does vsd: once per
// load or reload, on the control thread, never per alert.
std::optional<IpAddress> resolve_host(const std::string& name) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &found) != 0 || !found) return std::nullopt;
  std::optional<IpAddress> address;
  for (const addrinfo* a = found; a && !address; a = a->ai_next) {
    if (a->ai_family == AF_INET) {
      address =
          IpAddress::v4(ntohl(reinterpret_cast<const sockaddr_in*>(a->ai_addr)->sin_addr.s_addr));
    } else if (a->ai_family == AF_INET6) {
      std::array<uint8_t, 16> bytes;
      std::memcpy(bytes.data(),
                  reinterpret_cast<const sockaddr_in6*>(a->ai_addr)->sin6_addr.s6_addr, 16);
      address = IpAddress::v6(bytes);
    }
  }
  freeaddrinfo(found);
  return address;
}

}  // namespace

std::string local_host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

AlertPolicy alert_policy(const config::GlobalDefs& global, config::Diagnostics& d) {
  AlertPolicy policy;
  for (const config::Node& s : global.other) {
    if (s.name() == "smtp_alert") {
      policy.smtp_alert = config::bool_arg_or_true(s, 0, d);
    } else if (s.name() == "smtp_alert_checker") {
      policy.smtp_alert_checker = config::bool_arg_or_true(s, 0, d);
    } else if (s.name() == "no_checker_emails") {
      policy.no_checker_emails = config::bool_arg_or_true(s, 0, d).value_or(true);
    }
  }
  return policy;
}

std::optional<MailSettings> mail_settings(const config::GlobalDefs& global,
                                          const std::string& host_name, config::Diagnostics& d) {
  if (global.notification_email.empty() || !global.smtp_server) return std::nullopt;
  MailSettings mail;
  auto address = IpAddress::parse(*global.smtp_server);
  if (!address) address = resolve_host(*global.smtp_server);
  if (!address) {
    d.add_warning("global_defs: smtp_server '" + *global.smtp_server +
                  "' is neither an address nor a name that resolves; no e-mail alerts");
    return std::nullopt;
  }
  mail.server = Endpoint{*address, global.smtp_port.value_or(kSmtpPort)};
  mail.to = global.notification_email;
  mail.router_id = global.router_id.empty() ? host_name : global.router_id;
  mail.helo_name = host_name;
  mail.from = global.notification_email_from.empty() ? "keepalived@" + host_name
                                                     : global.notification_email_from;
  for (const config::Node& s : global.other) {
    if (s.name() == "smtp_helo_name") {
      if (auto v = config::string_arg(s, 0, d)) mail.helo_name = *v;
    } else if (s.name() == "smtp_connect_timeout") {
      if (auto v = config::integer_arg(s, 0, 1, 3600, d)) mail.step_timeout = seconds(*v);
    }
  }
  return mail;
}

std::string alert_message(const MailSettings& settings, const std::string& subject,
                          const std::string& body, std::time_t when) {
  std::tm local{};
  localtime_r(&when, &local);
  char date[80];
  std::strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &local);
  std::string to;
  for (const auto& address : settings.to) to += (to.empty() ? "" : ", ") + address;
  std::string out = std::string("Date: ") + date + "\r\nFrom: " + settings.from + "\r\nSubject: [" +
                    settings.router_id + "] " + subject + "\r\nX-Mailer: Keepalived\r\nTo: " + to +
                    "\r\n\r\n";
  size_t line_start = 0;
  while (line_start <= body.size()) {
    size_t end = body.find('\n', line_start);
    if (end == std::string::npos) end = body.size();
    std::string line = body.substr(line_start, end - line_start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && line.front() == '.') line.insert(line.begin(), '.');
    out += line + "\r\n";
    line_start = end + 1;
  }
  return out + "\r\n.\r\n";
}

// One alert's SMTP dialogue. Each step waits at most step_timeout for the server.
class SmtpAlerter::Session {
 public:
  Session(Io& io, Logger& log, std::shared_ptr<const MailSettings> settings, std::string message,
          std::function<void()> ended)
      : io_(io),
        log_(log),
        settings_(std::move(settings)),
        message_(std::move(message)),
        ended_(std::move(ended)),
        socket_(io),
        host_(host_text(settings_->server)) {}
  ~Session() { stop(); }

  void start() {
    ConnectTarget target;
    target.destination = settings_->server;
    const int error =
        socket_.open(target, SOCK_STREAM, 0, EPOLLOUT, [this](uint32_t events) { ready(events); });
    if (error) return end("SMTP connection ERROR to " + host_ + ".");
    arm();
  }
  bool finished() const { return stage_ == Stage::finished; }

 private:
  enum class Stage { connecting, greeting, helo, mail, rcpt, data, body, quit, finished };

  void ready(uint32_t events) {
    if (stage_ == Stage::connecting) {
      if (socket_.connect_error() != 0) return end("SMTP connection ERROR to " + host_ + ".");
      log_.info("Remote SMTP server " + host_ + " connected.");
      stage_ = Stage::greeting;
      socket_.want(EPOLLIN);
      return arm();
    }
    if (events & EPOLLOUT) flush();
    if (stage_ != Stage::finished && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) receive();
  }

  void receive() {
    char buffer[1024];
    for (;;) {
      const ssize_t n = ::recv(socket_.fd(), buffer, sizeof(buffer), MSG_DONTWAIT);
      if (n == 0) return end("Remote SMTP server " + host_ + " has closed the connection.");
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return end("Error reading data from remote SMTP server " + host_ + ".");
      }
      in_.append(buffer, static_cast<size_t>(n));
      if (in_.size() > kMaxReply)
        return end("Received buffer from remote SMTP server " + host_ +
                   " overflow our get read buffer length.");
    }
    // The code of a reply is on its last line; "250-" lines continue it.
    size_t eol;
    while (stage_ != Stage::finished && (eol = in_.find("\r\n")) != std::string::npos) {
      const std::string line = in_.substr(0, eol);
      in_.erase(0, eol + 2);
      if (line.size() >= 4 && line[3] == '-') continue;
      int code = -1;
      if (line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
          std::isdigit(static_cast<unsigned char>(line[1])) &&
          std::isdigit(static_cast<unsigned char>(line[2])))
        code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
      answered(code);
    }
  }

  // keepalived's expected code per step, and its words when another comes.
  void answered(int code) {
    const auto refused = [&](const std::string& step) {
      log_.info("Error " + step + " SMTP server " + host_ +
                ". SMTP status code = " + std::to_string(code));
      quit();
    };
    switch (stage_) {
      case Stage::greeting:
        if (code != 220) return refused("connecting");
        stage_ = Stage::helo;
        return put("HELO " + settings_->helo_name + "\r\n");
      case Stage::helo:
        if (code != 250) return refused("processing HELO cmd on");
        stage_ = Stage::mail;
        return put("MAIL FROM:<" + settings_->from + ">\r\n");
      case Stage::mail:
        if (code != 250) return refused("processing MAIL cmd on");
        stage_ = Stage::rcpt;
        return put("RCPT TO:<" + settings_->to[next_recipient_++] + ">\r\n");
      case Stage::rcpt:
        if (code != 250) return refused("processing RCPT cmd on");
        if (next_recipient_ < settings_->to.size())
          return put("RCPT TO:<" + settings_->to[next_recipient_++] + ">\r\n");
        stage_ = Stage::data;
        return put("DATA\r\n");
      case Stage::data:
        if (code != 354) return refused("processing DATA cmd on");
        stage_ = Stage::body;
        return put(message_);
      case Stage::body:
        if (code != 250) return refused("processing DOT cmd on");
        log_.info("SMTP alert successfully sent.");
        return quit();
      case Stage::quit:
        return end("");
      case Stage::connecting:
      case Stage::finished:
        return;
    }
  }

  void quit() {
    stage_ = Stage::quit;
    put("QUIT\r\n");
  }

  void put(const std::string& text) {
    out_ += text;
    arm();
    flush();
  }

  void flush() {
    while (!out_.empty()) {
      const ssize_t n = ::send(socket_.fd(), out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return end("Can not send data to remote SMTP server " + host_ + ".");
      }
      out_.erase(0, static_cast<size_t>(n));
    }
    socket_.want(out_.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT);
  }

  void arm() {
    if (timer_) io_.cancel(timer_);
    timer_ = io_.after(settings_->step_timeout, [this] {
      timer_ = 0;
      end(stage_ == Stage::connecting
              ? "Timeout connecting SMTP server " + host_ + "."
              : "Timeout reading data to remote SMTP server " + host_ + ".");
    });
  }

  void stop() {
    if (timer_) io_.cancel(timer_);
    timer_ = 0;
    socket_.reset();
  }

  void end(const std::string& why) {
    if (stage_ == Stage::finished) return;
    // After the mail went, a server that hangs up instead of answering QUIT is no error.
    if (!why.empty() && stage_ != Stage::quit) log_.info(why);
    stop();
    stage_ = Stage::finished;
    ended_();
  }

  Io& io_;
  Logger& log_;
  std::shared_ptr<const MailSettings> settings_;
  std::string message_;
  std::function<void()> ended_;
  Socket socket_;
  std::string host_;
  Stage stage_ = Stage::connecting;
  size_t next_recipient_ = 0;
  std::string in_, out_;
  TimerQueue::Id timer_ = 0;
};

SmtpAlerter::SmtpAlerter(Io& io, Logger& log) : io_(io), log_(log) {}

SmtpAlerter::~SmtpAlerter() {
  if (sweep_timer_) io_.cancel(sweep_timer_);
}

void SmtpAlerter::configure(std::optional<MailSettings> settings) {
  settings_ = settings ? std::make_shared<const MailSettings>(std::move(*settings)) : nullptr;
}

void SmtpAlerter::send(const std::string& subject, const std::string& body) {
  if (!settings_) return;
  auto session = std::make_unique<Session>(
      io_, log_, settings_, alert_message(*settings_, subject, body, std::time(nullptr)), [this] {
        // A session ends inside its own socket callback: free it from the loop, not from there.
        if (!sweep_timer_)
          sweep_timer_ = io_.after(Duration{0}, [this] {
            sweep_timer_ = 0;
            sweep();
          });
      });
  Session& started = *session;
  sessions_.push_back(std::move(session));
  started.start();
}

size_t SmtpAlerter::in_flight() const {
  size_t n = 0;
  for (const auto& s : sessions_) n += s->finished() ? 0 : 1;
  return n;
}

void SmtpAlerter::sweep() {
  std::erase_if(sessions_, [](const auto& s) { return s->finished(); });
}

}  // namespace vsd::health

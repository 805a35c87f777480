// HTTP_GET and SSL_GET (keepalived's check_http.c / check_ssl.c): for each url in turn, connect,
// (TLS handshake,) send a GET, read the response to the close; the url passes when its status is
// in status_code (default 200-299) and, with digest, the MD5 of the body matches.
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "config/values.h"
#include "health/checkers.h"
#include "health/http_message.h"
#include "health/socket.h"
#include "health/tls_session.h"

namespace vsd::health {
namespace {

struct StatusRange {
  int first, last;
};

struct Url {
  std::string path = "/";
  std::string digest;  // lower-case hex; empty = not checked
  std::vector<StatusRange> status;
  std::optional<std::string> virtualhost;
};

struct HttpSettings {
  bool tls = false;
  bool http11 = false;
  bool sni = false;
  std::optional<std::string> virtualhost;
  std::vector<Url> urls;
};

bool status_accepted(const Url& url, int status) {
  if (url.status.empty()) return status >= 200 && status <= 299;
  for (const auto& r : url.status)
    if (status >= r.first && status <= r.last) return true;
  return false;
}

class HttpProbe final : public Probe {
 public:
  HttpProbe(const HttpSettings& settings, const ConnectTarget& target, Io& io)
      : settings_(settings), target_(target), socket_(io) {}

  void start(Done done) override {
    done_ = std::move(done);
    url_ = 0;
    next_url();
  }
  void cancel() override { reset(); }

 private:
  enum class Phase { connecting, handshaking, sending, receiving };

  void reset() {
    socket_.reset();
    tls_.reset();
  }

  std::string host_header(const Url& url) const {
    std::string host;
    if (url.virtualhost)
      host = *url.virtualhost;
    else if (settings_.virtualhost)
      host = *settings_.virtualhost;
    else
      host = target_.destination.address.is_v4()
                 ? target_.destination.address.to_string()
                 : "[" + target_.destination.address.to_string() + "]";
    if (target_.destination.port != (settings_.tls ? 443 : 80))
      host += ":" + std::to_string(target_.destination.port);
    return host;
  }

  void next_url() {
    if (url_ == settings_.urls.size()) return finish(true, "");
    const Url& url = settings_.urls[url_];
    request_ = http_request(url.path, host_header(url), settings_.http11);
    sent_ = 0;
    response_.clear();
    phase_ = Phase::connecting;
    const int error =
        socket_.open(target_, SOCK_STREAM, 0, EPOLLOUT, [this](uint32_t events) { step(events); });
    if (error) finish(false, std::string("connection failed: ") + std::strerror(error));
  }

  void step(uint32_t) {
    if (phase_ == Phase::connecting) {
      if (int error = socket_.connect_error())
        return finish(false, std::string("connection failed: ") + std::strerror(error));
      if (settings_.tls) {
        tls_ = std::make_unique<TlsSession>();
        const std::string sni = settings_.sni ? sni_name() : "";
        if (!tls_->attach(socket_.fd(), sni)) return finish(false, "SSL setup failed");
        phase_ = Phase::handshaking;
      } else {
        phase_ = Phase::sending;
      }
    }
    if (phase_ == Phase::handshaking && !tls_progress(tls_->handshake(), Phase::sending)) return;
    if (phase_ == Phase::sending && !send()) return;
    if (phase_ == Phase::receiving) receive();
  }

  std::string sni_name() const {
    const Url& url = settings_.urls[url_];
    if (url.virtualhost) return *url.virtualhost;
    return settings_.virtualhost.value_or("");
  }

  // True when the TLS step completed and the probe moved on to `next`.
  bool tls_progress(TlsSession::Step s, Phase next) {
    switch (s) {
      case TlsSession::Step::done:
        phase_ = next;
        return true;
      case TlsSession::Step::want_read:
        socket_.want(EPOLLIN);
        return false;
      case TlsSession::Step::want_write:
        socket_.want(EPOLLOUT);
        return false;
      case TlsSession::Step::failed:
        finish(false, "SSL error: " + tls_->last_error());
        return false;
    }
    return false;
  }

  bool send() {
    if (tls_) return tls_progress(tls_->write(request_, &sent_), Phase::receiving) && want_in();
    while (sent_ < request_.size()) {
      const ssize_t n =
          ::send(socket_.fd(), request_.data() + sent_, request_.size() - sent_, MSG_NOSIGNAL);
      if (n < 0 && errno == EAGAIN) return false;
      if (n <= 0) {
        finish(false, std::string("write error: ") + std::strerror(errno));
        return false;
      }
      sent_ += static_cast<size_t>(n);
    }
    phase_ = Phase::receiving;
    return want_in();
  }
  bool want_in() {
    socket_.want(EPOLLIN);
    return true;
  }

  void receive() {
    if (tls_) {
      const auto s = tls_->read(response_);
      if (s == TlsSession::Step::done) return evaluate();
      tls_progress(s, Phase::receiving);
      return;
    }
    char buffer[16384];
    for (;;) {
      const ssize_t n = ::recv(socket_.fd(), buffer, sizeof(buffer), 0);
      if (n > 0) {
        response_.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EAGAIN) return;
      if (n < 0) return finish(false, std::string("read error: ") + std::strerror(errno));
      return evaluate();
    }
  }

  void evaluate() {
    reset();
    const Url& url = settings_.urls[url_];
    auto response = parse_http_response(response_);
    if (!response) return finish(false, "malformed HTTP response for url(" + url.path + ")");
    if (!status_accepted(url, response->status))
      return finish(false, "HTTP status code error to url(" + url.path + "), status_code [" +
                               std::to_string(response->status) + "]");
    if (!url.digest.empty()) {
      const std::string digest = md5_hex(response->body);
      if (digest != url.digest)
        return finish(false, "MD5 digest error to url[" + url.path + "], MD5SUM [" + digest + "]");
    }
    ++url_;
    next_url();
  }

  void finish(bool ok, std::string detail) {
    reset();
    done_(ProbeResult{ok, std::move(detail), std::nullopt});
  }

  HttpSettings settings_;
  ConnectTarget target_;
  Socket socket_;
  std::unique_ptr<TlsSession> tls_;
  Done done_;
  size_t url_ = 0;
  Phase phase_ = Phase::connecting;
  std::string request_;
  size_t sent_ = 0;
  std::string response_;
};

std::optional<StatusRange> status_range(const std::string& text) {
  const auto dash = text.find('-');
  try {
    size_t used = 0;
    const int first = std::stoi(text.substr(0, dash), &used);
    const int last = dash == std::string::npos ? first : std::stoi(text.substr(dash + 1));
    if (first < 100 || last > 599 || first > last) return std::nullopt;
    return StatusRange{first, last};
  } catch (...) {
    return std::nullopt;
  }
}

void read_url(const config::Node& block, HttpSettings& settings, config::Diagnostics& d) {
  Url url;
  for (const config::Node& s : block.children) {
    const std::string& k = s.name();
    if (k == "path") {
      if (auto v = config::string_arg(s, 0, d)) url.path = *v;
    } else if (k == "digest") {
      auto v = config::string_arg(s, 0, d);
      if (!v) continue;
      std::string lower;
      for (char c : *v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.size() != 32 || lower.find_first_not_of("0123456789abcdef") != std::string::npos)
        d.error(s.args[0].where, "digest '" + *v + "' is not 32 hex digits (an MD5)");
      else
        url.digest = lower;
    } else if (k == "status_code") {
      if (s.args.empty()) d.error(s.where(), "'status_code' needs a code or a range");
      for (const config::Word& w : s.args) {
        if (auto r = status_range(w.text))
          url.status.push_back(*r);
        else
          d.error(w.where, "status_code '" + w.text + "' is not a code or range of 100..599");
      }
    } else if (k == "virtualhost") {
      url.virtualhost = config::string_arg(s, 0, d);
    } else {
      d.warning(s.where(), "unknown keyword '" + k + "' in url");
    }
  }
  settings.urls.push_back(std::move(url));
}

class HttpSpec final : public ProbeSpec {
 public:
  explicit HttpSpec(bool tls) { settings_.tls = tls; }

  bool read(const config::Node& s, config::Diagnostics& d) override {
    const std::string& k = s.name();
    if (k == "url") {
      read_url(s, settings_, d);
    } else if (k == "virtualhost") {
      settings_.virtualhost = config::string_arg(s, 0, d);
    } else if (k == "http_protocol") {
      auto v = config::string_arg(s, 0, d);
      if (!v) return true;
      if (*v == "1.1")
        settings_.http11 = true;
      else if (*v == "1.0" || *v == "1.0C" || *v == "1.0c")
        settings_.http11 = false;
      else
        d.error(s.args[0].where, "http_protocol '" + *v + "' is not 1.0, 1.0C or 1.1");
    } else if (k == "enable_sni") {
      if (auto b = config::bool_arg_or_true(s, 0, d)) settings_.sni = *b;
    } else if (k == "fast_recovery" || k == "regex" || k == "regex_no_match") {
      d.warning(s.where(), "'" + k + "' is not supported by vsd; ignored");
    } else {
      return false;
    }
    return true;
  }
  void finish(const config::Node& block, config::Diagnostics& d) override {
    if (settings_.urls.empty())
      d.error(block.where(), block.name() + " needs at least one url block");
  }
  std::unique_ptr<Probe> make(const ConnectTarget& target, ProbeEnv env) const override {
    return std::make_unique<HttpProbe>(settings_, target, env.io);
  }
  void inherit_virtualhost(const std::optional<std::string>& vhost) override {
    if (!settings_.virtualhost) settings_.virtualhost = vhost;
  }

 private:
  HttpSettings settings_;
};

}  // namespace

std::unique_ptr<ProbeSpec> http_get_spec(bool tls) {
  return std::make_unique<HttpSpec>(tls);
}

}  // namespace vsd::health

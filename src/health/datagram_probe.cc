#include "health/datagram_probe.h"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>

namespace vsd::health {

std::optional<std::string> hex_bytes(const std::string& text) {
  if (text.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    try {
      size_t used = 0;
      const int byte = std::stoi(text.substr(i, 2), &used, 16);
      if (used != 2) return std::nullopt;
      out += static_cast<char>(byte);
    } catch (...) {
      return std::nullopt;
    }
  }
  return out;
}

void DatagramProbe::start(Done done) {
  done_ = std::move(done);
  const int error =
      socket_.open(target_, type_, protocol_, EPOLLIN, [this](uint32_t) { readable(); });
  if (error) return finish(ProbeResult{false, std::string("socket: ") + std::strerror(error), {}});
  const std::string datagram = request();
  if (::send(socket_.fd(), datagram.data(), datagram.size(), MSG_NOSIGNAL) < 0)
    finish(ProbeResult{false, std::string("send: ") + std::strerror(errno), {}});
}

void DatagramProbe::readable() {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::recv(socket_.fd(), buffer, sizeof(buffer), 0);
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0) return finish(ProbeResult{false, std::strerror(errno), {}});
    if (auto result = judge(std::string(buffer, static_cast<size_t>(n))))
      return finish(std::move(*result));
  }
}

void DatagramProbe::finish(ProbeResult result) {
  socket_.reset();
  done_(std::move(result));
}

}  // namespace vsd::health

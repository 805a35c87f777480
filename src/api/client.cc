#include "api/client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace vsd::api {

Result<Client> Client::connect(const std::string& path, Duration timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return Error{"socket path too long", ENAMETOOLONG};
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{std::string("socket: ") + std::strerror(errno), errno};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int e = errno;
    close(fd);
    return Error{"cannot reach vsd at " + path + ": " + std::strerror(e), e};
  }
  return Client(fd, timeout);
}

Client::Client(Client&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      timeout_(other.timeout_),
      next_id_(other.next_id_),
      buffered_(std::move(other.buffered_)) {}

Client::~Client() {
  if (fd_ >= 0) close(fd_);
}

Result<Json> Client::call(const std::string& op, const Json& args) {
  const uint64_t id = next_id_++;
  const std::string out = encode(Request{id, op, args});
  for (size_t sent = 0; sent < out.size();) {
    const ssize_t n = send(fd_, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error{std::string("send to vsd: ") + std::strerror(errno), errno};
    }
    sent += static_cast<size_t>(n);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  for (;;) {
    if (auto newline = buffered_.find('\n'); newline != std::string::npos) {
      const std::string line = buffered_.substr(0, newline);
      buffered_.erase(0, newline + 1);
      auto response = decode_response(line);
      if (!response.ok()) return response.error();
      if (response->id != id) continue;  // a late answer to an abandoned call
      if (!response->ok()) return response->error;
      return *response->result;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Error{"vsd did not answer in time", ETIMEDOUT};
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return Error{std::strerror(errno), errno};
    if (ready <= 0) continue;
    char buffer[65536];
    const ssize_t n = read(fd_, buffer, sizeof(buffer));
    if (n == 0) return Error{"vsd closed the connection", ECONNRESET};
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Error{std::string("read from vsd: ") + std::strerror(errno), errno};
    }
    buffered_.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace vsd::api

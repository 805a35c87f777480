#include "health/socket.h"

#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vsd::health {

socklen_t to_sockaddr(const Endpoint& endpoint, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof(out));
  if (endpoint.address.is_v4()) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(endpoint.port);
    std::memcpy(&sin->sin_addr, endpoint.address.bytes().data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(endpoint.port);
  std::memcpy(&sin6->sin6_addr, endpoint.address.bytes().data(), 16);
  return sizeof(sockaddr_in6);
}

int Socket::open_unconnected(int family, int type, int protocol, uint32_t events,
                             Io::FdHandler ready) {
  reset();
  fd_ = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd_ < 0) return errno;
  if (!io_.watch(fd_, events, std::move(ready))) {
    const int error = errno ? errno : EINVAL;
    close(fd_);
    fd_ = -1;
    return error;
  }
  watched_ = true;
  return 0;
}

int Socket::open(const ConnectTarget& target, int type, int protocol, uint32_t events,
                 Io::FdHandler ready) {
  reset();
  const int family = target.destination.address.is_v4() ? AF_INET : AF_INET6;
  fd_ = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd_ < 0) return errno;
  if (target.bind_address || target.bind_port) {
    const int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    Endpoint local{target.bind_address.value_or(IpAddress{}), target.bind_port};
    if (!target.bind_address && family == AF_INET6) local.address = *IpAddress::parse("::");
    sockaddr_storage sa;
    const socklen_t len = to_sockaddr(local, sa);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), len) != 0) {
      const int error = errno;
      reset();
      return error;
    }
  }
  sockaddr_storage sa;
  const socklen_t len = to_sockaddr(target.destination, sa);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&sa), len) != 0 && errno != EINPROGRESS) {
    const int error = errno;
    reset();
    return error;
  }
  if (!io_.watch(fd_, events, std::move(ready))) {
    reset();
    return EINVAL;
  }
  watched_ = true;
  return 0;
}

int Socket::connect_error() const {
  int error = 0;
  socklen_t len = sizeof(error);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &len) != 0) return errno;
  return error;
}

void Socket::reset() {
  if (fd_ < 0) return;
  if (watched_) io_.unwatch(fd_);
  watched_ = false;
  close(fd_);
  fd_ = -1;
}

}  // namespace vsd::health

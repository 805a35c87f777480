#include "api/server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vsd::api {

namespace {

constexpr size_t kMaxRequestBytes = 1 << 20;

Result<sockaddr_un> unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path))
    return Error{"socket path too long: " + path, ENAMETOOLONG};
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

// True when a live process accepts connections on path.
bool someone_listens(const sockaddr_un& addr) {
  const int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool alive = connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  close(probe);
  return alive;
}

}  // namespace

Result<std::unique_ptr<Server>> Server::listen(EventLoop& loop, const std::string& path,
                                               Handler handler) {
  auto addr = unix_address(path);
  if (!addr.ok()) return addr.error();
  if (someone_listens(*addr)) return Error{"another vsd is already running on " + path, EADDRINUSE};
  unlink(path.c_str());  // a stale socket from a process that died
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error{std::string("socket: ") + std::strerror(errno), errno};
  const mode_t old_mask = umask(0177);  // srw------- from the start, no window
  const int bound = bind(fd, reinterpret_cast<const sockaddr*>(&*addr), sizeof(*addr));
  umask(old_mask);
  if (bound != 0 || ::listen(fd, 64) != 0) {
    const int e = errno;
    close(fd);
    return Error{"cannot listen on " + path + ": " + std::strerror(e), e};
  }
  std::unique_ptr<Server> server(new Server(loop, path, fd, std::move(handler)));
  Server* raw = server.get();
  if (Status s = loop.add(fd, EPOLLIN, [raw](uint32_t) { raw->accept_clients(); }); !s.ok())
    return s.error();
  return server;
}

Server::Server(EventLoop& loop, std::string path, int fd, Handler handler)
    : loop_(loop), path_(std::move(path)), fd_(fd), handler_(std::move(handler)) {}

Server::~Server() {
  while (!clients_.empty()) close_client(clients_.begin()->first);
  loop_.remove(fd_);
  close(fd_);
  unlink(path_.c_str());
}

void Server::accept_clients() {
  for (;;) {
    const int client = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (client < 0) return;  // EAGAIN: all taken
    clients_[client] = Client{};
    if (!loop_.add(client, EPOLLIN, [this, client](uint32_t ev) { on_client(client, ev); }).ok())
      close_client(client);
  }
}

void Server::close_client(int fd) {
  loop_.remove(fd);
  close(fd);
  clients_.erase(fd);
}

void Server::on_client(int fd, uint32_t events) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client& c = it->second;
  if (events & EPOLLIN) {
    char buffer[65536];
    for (;;) {
      const ssize_t n = read(fd, buffer, sizeof(buffer));
      if (n > 0) {
        c.in.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        if (c.out.empty()) return close_client(fd);
        break;
      }
      break;
    }
    size_t newline;
    while ((newline = c.in.find('\n')) != std::string::npos) {
      const std::string line = c.in.substr(0, newline);
      c.in.erase(0, newline + 1);
      auto request = decode_request(line);
      c.out += encode(request.ok() ? handler_(*request) : Response::failure(0, request.error()));
    }
    if (c.in.size() > kMaxRequestBytes) {
      c.out += encode(Response::failure(0, Error{"request too large", E2BIG}));
      c.in.clear();
    }
  }
  while (!c.out.empty()) {
    const ssize_t n = send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.out.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (errno == EAGAIN) break;
    return close_client(fd);
  }
  if (!loop_.modify(fd, c.out.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT).ok()) close_client(fd);
}

}  // namespace vsd::api

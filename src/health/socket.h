#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <functional>

#include "health/io.h"
#include "health/probe.h"

namespace vsd::health {

socklen_t to_sockaddr(const Endpoint& endpoint, sockaddr_storage& out);

// A non-blocking socket watched on the control loop, closed (and unwatched) when reset or
// destroyed. The probes' one piece of socket plumbing.
class Socket {
 public:
  explicit Socket(Io& io) : io_(io) {}
  ~Socket() { reset(); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Opens a socket towards `target` (bound to bindto/bind_port when given) and starts connect();
  // `ready` runs on every readiness event. Returns an errno value, or 0 when under way.
  int open(const ConnectTarget& target, int type, int protocol, uint32_t events,
           Io::FdHandler ready);
  // For sockets that do not connect (raw ICMP): open and watch.
  int open_unconnected(int family, int type, int protocol, uint32_t events, Io::FdHandler ready);
  void want(uint32_t events) { io_.rewatch(fd_, events); }
  // The outcome of a non-blocking connect: 0 or the errno value.
  int connect_error() const;
  int fd() const { return fd_; }
  void reset();

 private:
  Io& io_;
  int fd_ = -1;
  bool watched_ = false;
};

}  // namespace vsd::health

#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "api/protocol.h"
#include "common/event_loop.h"

namespace vsd::api {

// The daemon's side of the control socket. Runs on the control loop: requests are read,
// handled and answered there, one at a time, so the handler needs no locking.
class Server {
 public:
  using Handler = std::function<Response(const Request&)>;

  // Creates the socket at `path` with owner-only permissions (0600: the API is root's, as
  // IPVS's setsockopt interface is). Refuses if another process is answering on that path; a
  // stale socket file left by a crash is replaced.
  static Result<std::unique_ptr<Server>> listen(EventLoop& loop, const std::string& path,
                                                Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  const std::string& path() const { return path_; }

 private:
  Server(EventLoop& loop, std::string path, int fd, Handler handler);
  void accept_clients();
  void on_client(int fd, uint32_t events);
  void close_client(int fd);

  struct Client {
    std::string in;
    std::string out;
  };
  EventLoop& loop_;
  std::string path_;
  int fd_;
  Handler handler_;
  std::map<int, Client> clients_;
};

}  // namespace vsd::api

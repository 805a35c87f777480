#pragma once

#include <string>

#include "api/protocol.h"
#include "common/time.h"

namespace vsd::api {

// The library vsadm (and anyone else) uses to talk to the daemon: blocking, one request at a
// time, with a deadline per call.
class Client {
 public:
  static Result<Client> connect(const std::string& path, Duration timeout = seconds(10));
  Client(Client&& other) noexcept;
  Client& operator=(Client&&) = delete;
  ~Client();

  // The result of `op`, or the daemon's error (with its errno code), or a transport error.
  Result<Json> call(const std::string& op, const Json& args = Json::object());

 private:
  Client(int fd, Duration timeout) : fd_(fd), timeout_(timeout) {}
  int fd_;
  Duration timeout_;
  uint64_t next_id_ = 1;
  std::string buffered_;
};

}  // namespace vsd::api

#pragma once

#include <memory>
#include <string>

namespace vsd::health {

// A TLS client over an already connected non-blocking socket (SSL_GET). Each call returns
// progress, or that it must wait for the socket to become readable or writable.
class TlsSession {
 public:
  enum class Step { done, want_read, want_write, failed };

  TlsSession();
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // `sni` empty: no server name is sent.
  bool attach(int fd, const std::string& sni);
  Step handshake();
  // Writes from data[*offset..]; advances *offset.
  Step write(const std::string& data, size_t* offset);
  // Appends what is readable to out; done at the end of the stream.
  Step read(std::string& out);
  std::string last_error() const { return error_; }

 private:
  Step classify(int rc);
  struct State;
  std::unique_ptr<State> state_;
  std::string error_;
};

}  // namespace vsd::health

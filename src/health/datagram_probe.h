#pragma once

#include <functional>
#include <string>

#include "health/probe.h"
#include "health/socket.h"

namespace vsd::health {

// The shape UDP_CHECK, DNS_CHECK and PING_CHECK share: send one datagram on a connected socket,
// then judge each datagram that comes back until one settles the check. An ICMP error for the
// socket (ECONNREFUSED and the like) fails it.
class DatagramProbe : public Probe {
 public:
  DatagramProbe(const ConnectTarget& target, Io& io, int type, int protocol)
      : target_(target), socket_(io), type_(type), protocol_(protocol) {}

  void start(Done done) override;
  void cancel() override { socket_.reset(); }

 protected:
  virtual std::string request() = 0;
  // A reply: a result settles the check, nullopt waits for another datagram.
  virtual std::optional<ProbeResult> judge(const std::string& reply) = 0;
  void finish(ProbeResult result);
  const ConnectTarget& target() const { return target_; }

 private:
  void readable();

  ConnectTarget target_;
  Socket socket_;
  int type_, protocol_;
  Done done_;
};

std::optional<std::string> hex_bytes(const std::string& text);

}  // namespace vsd::health

// PING_CHECK (ICMP_CHECK is its old name; keepalived's check_ping.c): one ICMP echo request on a
// ping socket; the check passes when the echo reply with our sequence number comes back before
// connect_timeout. Ping sockets need root or net.ipv4.ping_group_range.
#include <netinet/in.h>

#include "health/checkers.h"
#include "health/datagram_probe.h"

namespace vsd::health {
namespace {

class PingProbe final : public DatagramProbe {
 public:
  PingProbe(const ConnectTarget& target, Io& io)
      : DatagramProbe(without_port(target), io, SOCK_DGRAM,
                      target.destination.address.is_v4() ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6}),
        v4_(target.destination.address.is_v4()) {}

 private:
  static ConnectTarget without_port(ConnectTarget t) {
    t.destination.port = 0;
    t.bind_port = 0;
    return t;
  }
  std::string request() override {
    ++sequence_;
    // type, code, checksum (the kernel fills it for ping sockets), id (the kernel's), sequence
    std::string echo(8, '\0');
    echo[0] = static_cast<char>(v4_ ? 8 : 128);
    echo[6] = static_cast<char>(sequence_ >> 8);
    echo[7] = static_cast<char>(sequence_ & 0xff);
    echo += "vsd-health";
    return echo;
  }
  std::optional<ProbeResult> judge(const std::string& r) override {
    if (r.size() < 8) return std::nullopt;
    const auto type = static_cast<uint8_t>(r[0]);
    if (type != (v4_ ? 0 : 129)) return std::nullopt;
    const int sequence = static_cast<uint8_t>(r[6]) << 8 | static_cast<uint8_t>(r[7]);
    if (sequence != sequence_) return std::nullopt;
    return ProbeResult{true, "", {}};
  }

  bool v4_;
  uint16_t sequence_ = 0;
};

class PingSpec final : public ProbeSpec {
 public:
  bool read(const config::Node&, config::Diagnostics&) override { return false; }
  std::unique_ptr<Probe> make(const ConnectTarget& target, ProbeEnv env) const override {
    return std::make_unique<PingProbe>(target, env.io);
  }
};

}  // namespace

std::unique_ptr<ProbeSpec> ping_check_spec() {
  return std::make_unique<PingSpec>();
}

}  // namespace vsd::health

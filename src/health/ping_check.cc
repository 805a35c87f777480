// PING_CHECK (ICMP_CHECK is its old name; keepalived's check_ping.c): one ICMP echo request on a
// ping socket; the check passes when the echo reply with our sequence number comes back before
// connect_timeout. Ping sockets need root or net.ipv4.ping_group_range.
#include <netinet/in.h>
#include <unistd.h>

#include "health/checkers.h"
#include "health/datagram_probe.h"

namespace vsd::health {
namespace {

int icmp_protocol(bool v4) {
  return v4 ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
}

// Ping sockets need the group in net.ipv4.ping_group_range (often empty, even for root); root
// can always use a raw socket, which then sees the IPv4 header and must fill id and checksum.
int socket_type(bool v4) {
  const int fd = socket(v4 ? AF_INET : AF_INET6, SOCK_DGRAM, icmp_protocol(v4));
  if (fd < 0) return SOCK_RAW;
  close(fd);
  return SOCK_DGRAM;
}

uint16_t checksum(const std::string& data) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < data.size(); i += 2)
    sum += static_cast<uint32_t>(static_cast<uint8_t>(data[i]) << 8 |
                                 static_cast<uint8_t>(data[i + 1]));
  if (data.size() % 2) sum += static_cast<uint32_t>(static_cast<uint8_t>(data.back()) << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

class PingProbe final : public DatagramProbe {
 public:
  PingProbe(const ConnectTarget& target, Io& io, int type)
      : DatagramProbe(without_port(target), io, type,
                      icmp_protocol(target.destination.address.is_v4())),
        v4_(target.destination.address.is_v4()),
        raw_(type == SOCK_RAW),
        id_(static_cast<uint16_t>(getpid() ^ reinterpret_cast<uintptr_t>(this))) {}

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
    if (raw_) {
      echo[4] = static_cast<char>(id_ >> 8);
      echo[5] = static_cast<char>(id_ & 0xff);
      if (v4_) {  // the kernel computes ICMPv6 checksums itself
        const uint16_t sum = checksum(echo);
        echo[2] = static_cast<char>(sum >> 8);
        echo[3] = static_cast<char>(sum & 0xff);
      }
    }
    return echo;
  }
  std::optional<ProbeResult> judge(const std::string& datagram) override {
    std::string r = datagram;
    if (raw_ && v4_) {
      if (r.empty()) return std::nullopt;
      r.erase(0, std::min(r.size(), size_t{static_cast<uint8_t>(r[0]) & 0x0fu} * 4));
    }
    if (r.size() < 8) return std::nullopt;
    if (raw_ && (static_cast<uint8_t>(r[4]) << 8 | static_cast<uint8_t>(r[5])) != id_)
      return std::nullopt;
    const auto type = static_cast<uint8_t>(r[0]);
    if (type != (v4_ ? 0 : 129)) return std::nullopt;
    const int sequence = static_cast<uint8_t>(r[6]) << 8 | static_cast<uint8_t>(r[7]);
    if (sequence != sequence_) return std::nullopt;
    return ProbeResult{true, "", {}};
  }

  bool v4_;
  bool raw_;
  uint16_t id_;
  uint16_t sequence_ = 0;
};

class PingSpec final : public ProbeSpec {
 public:
  bool read(const config::Node&, config::Diagnostics&) override { return false; }
  std::unique_ptr<Probe> make(const ConnectTarget& target, ProbeEnv env) const override {
    return std::make_unique<PingProbe>(target, env.io,
                                       socket_type(target.destination.address.is_v4()));
  }
};

}  // namespace

std::unique_ptr<ProbeSpec> ping_check_spec() {
  return std::make_unique<PingSpec>();
}

}  // namespace vsd::health

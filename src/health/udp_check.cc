// UDP_CHECK (keepalived's check_udp.c): sends `payload` (hex) to the real server. Without
// require_reply the check passes unless an ICMP error (port unreachable) comes back before
// connect_timeout; with it, a reply must come back, of min_reply_length..max_reply_length bytes
// and, when require_reply gives hex bytes, starting with them.
#include <netinet/in.h>

#include "config/values.h"
#include "health/checkers.h"
#include "health/datagram_probe.h"

namespace vsd::health {
namespace {

struct UdpSettings {
  std::string payload;
  bool require_reply = false;
  std::string expected;
  size_t min_length = 0;
  size_t max_length = 65535;
};

class UdpProbe final : public DatagramProbe {
 public:
  UdpProbe(const UdpSettings& settings, const ConnectTarget& target, Io& io)
      : DatagramProbe(target, io, SOCK_DGRAM, IPPROTO_UDP), settings_(settings) {}
  ProbeResult at_deadline() override {
    if (settings_.require_reply) return ProbeResult{false, "no reply", {}};
    return ProbeResult{true, "", {}};
  }

 private:
  std::string request() override { return settings_.payload; }
  std::optional<ProbeResult> judge(const std::string& reply) override {
    if (reply.size() < settings_.min_length || reply.size() > settings_.max_length)
      return ProbeResult{false, "reply length " + std::to_string(reply.size()), {}};
    if (!reply.starts_with(settings_.expected)) return ProbeResult{false, "reply mismatch", {}};
    return ProbeResult{true, "", {}};
  }
  UdpSettings settings_;
};

class UdpSpec final : public ProbeSpec {
 public:
  bool read(const config::Node& s, config::Diagnostics& d) override {
    const std::string& k = s.name();
    if (k == "payload" || k == "require_reply") {
      std::string bytes;
      if (!s.args.empty()) {
        auto b = hex_bytes(s.args[0].text);
        if (!b) d.error(s.args[0].where, "'" + k + "': '" + s.args[0].text + "' is not hex bytes");
        bytes = b.value_or("");
      }
      if (k == "payload") {
        settings_.payload = bytes;
      } else {
        settings_.require_reply = true;
        settings_.expected = bytes;
      }
    } else if (k == "min_reply_length") {
      if (auto v = config::integer_arg(s, 0, 0, 65535, d)) settings_.min_length = size_t(*v);
    } else if (k == "max_reply_length") {
      if (auto v = config::integer_arg(s, 0, 0, 65535, d)) settings_.max_length = size_t(*v);
    } else {
      return false;
    }
    return true;
  }
  std::unique_ptr<Probe> make(const ConnectTarget& target, ProbeEnv env) const override {
    return std::make_unique<UdpProbe>(settings_, target, env.io);
  }

 private:
  UdpSettings settings_;
};

}  // namespace

std::unique_ptr<ProbeSpec> udp_check_spec() {
  return std::make_unique<UdpSpec>();
}

}  // namespace vsd::health

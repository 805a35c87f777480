// DNS_CHECK (keepalived's check_dns.c): one query of `type` (default SOA) for `name` (default
// ".") over UDP to the real server; it passes when the reply carries the query's id, is a
// response with RCODE NOERROR and has at least one answer.
#include <netinet/in.h>

#include <array>
#include <string_view>

#include "config/values.h"
#include "health/checkers.h"
#include "health/datagram_probe.h"

namespace vsd::health {
namespace {

constexpr std::array<std::pair<std::string_view, uint16_t>, 11> kTypes = {{{"A", 1},
                                                                           {"NS", 2},
                                                                           {"CNAME", 5},
                                                                           {"SOA", 6},
                                                                           {"MX", 15},
                                                                           {"TXT", 16},
                                                                           {"AAAA", 28},
                                                                           {"SRV", 33},
                                                                           {"NAPTR", 35},
                                                                           {"DS", 43},
                                                                           {"DNSKEY", 48}}};

std::optional<std::string> encode_name(const std::string& name) {
  std::string out;
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    const size_t length = dot - start;
    if (length == 0 || length > 63) return std::nullopt;
    out += static_cast<char>(length);
    out += name.substr(start, length);
    start = dot + 1;
  }
  out += '\0';
  return out;
}

class DnsProbe final : public DatagramProbe {
 public:
  DnsProbe(uint16_t type, const std::string& qname, const ConnectTarget& target, Io& io,
           uint16_t id)
      : DatagramProbe(target, io, SOCK_DGRAM, IPPROTO_UDP), type_(type), qname_(qname), id_(id) {}

 private:
  std::string request() override {
    ++id_;
    std::string q;
    q += static_cast<char>(id_ >> 8);
    q += static_cast<char>(id_ & 0xff);
    q += std::string("\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00", 10);  // RD, one question
    q += qname_;
    q += static_cast<char>(type_ >> 8);
    q += static_cast<char>(type_ & 0xff);
    q += std::string("\x00\x01", 2);  // class IN
    return q;
  }
  std::optional<ProbeResult> judge(const std::string& r) override {
    if (r.size() < 12) return std::nullopt;
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(r[i]); };
    if ((byte(0) << 8 | byte(1)) != id_) return std::nullopt;  // a stale answer
    if (!(byte(2) & 0x80)) return ProbeResult{false, "not a DNS response", {}};
    if (const int rcode = byte(3) & 0x0f; rcode != 0)
      return ProbeResult{false, "DNS rcode " + std::to_string(rcode), {}};
    if ((byte(6) << 8 | byte(7)) == 0) return ProbeResult{false, "DNS reply has no answer", {}};
    return ProbeResult{true, "", {}};
  }

  uint16_t type_;
  std::string qname_;
  uint16_t id_;
};

class DnsSpec final : public ProbeSpec {
 public:
  bool read(const config::Node& s, config::Diagnostics& d) override {
    if (s.name() == "type") {
      auto v = config::string_arg(s, 0, d);
      if (!v) return true;
      for (const auto& [name, code] : kTypes)
        if (name == *v) {
          type_ = code;
          return true;
        }
      d.error(s.args[0].where, "DNS_CHECK type '" + *v + "' is not known");
    } else if (s.name() == "name") {
      auto v = config::string_arg(s, 0, d);
      if (!v) return true;
      std::string name = *v == "." ? "" : *v;
      if (name.ends_with('.')) name.pop_back();
      auto encoded = encode_name(name);
      if (!encoded)
        d.error(s.args[0].where, "'" + *v + "' is not a domain name");
      else
        qname_ = *encoded;
    } else {
      return false;
    }
    return true;
  }
  std::unique_ptr<Probe> make(const ConnectTarget& target, ProbeEnv env) const override {
    return std::make_unique<DnsProbe>(type_, qname_, target, env.io,
                                      static_cast<uint16_t>(target.destination.port * 131u));
  }

 private:
  uint16_t type_ = 6;           // SOA, keepalived's default
  std::string qname_{"\0", 1};  // the root
};

}  // namespace

std::unique_ptr<ProbeSpec> dns_check_spec() {
  return std::make_unique<DnsSpec>();
}

}  // namespace vsd::health

// vsd-decap: the user-space end of an IPVS tunnel (-i) on a real server whose kernel has no ipip
// or ip6_tunnel module. It reads IPIP (protocol 4, RFC 2003) and IPv6-in-IPv6 (next header 41,
// RFC 2473) packets that arrive for this host through a raw socket, and writes each inner packet
// addressed to the virtual IP into a TUN device, where the kernel receives it as a tunnel
// interface would have delivered it. Having the raw socket open also stops the kernel from
// answering the tunnelled packets with ICMP protocol-unreachable.
//
// Started and stopped by vsd-realserver (tools/vsd-realserver); it can run alone:
//   vsd-decap --vip 203.0.113.10 [--tun vsdtun0]
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "common/address.h"
#include "realserver/inner_packet.h"
#include "realserver/tun_device.h"

namespace {

using vsd::realserver::DecapVerdict;

struct Options {
  vsd::IpAddress vip;
  std::string tun_name = "vsdtun0";
};

constexpr int kUsageError = 2;
constexpr std::size_t kVerdictCount = static_cast<std::size_t>(DecapVerdict::not_for_vip) + 1;

void print_usage() {
  std::fprintf(stderr, "usage: vsd-decap --vip ADDRESS [--tun NAME]\n");
}

std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  bool have_vip = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return std::nullopt;
    const std::string_view value = argv[++i];
    if (flag == "--vip") {
      const auto parsed = vsd::IpAddress::parse(value);
      if (!parsed) return std::nullopt;
      options.vip = *parsed;
      have_vip = true;
    } else if (flag == "--tun") {
      options.tun_name = std::string(value);
    } else {
      return std::nullopt;
    }
  }
  if (!have_vip) return std::nullopt;
  return options;
}

int open_tunnel_socket(const vsd::IpAddress& vip) {
  return vip.is_v4() ? ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPIP)
                     : ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IPV6);
}

int open_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  return ::signalfd(-1, &signals, SFD_CLOEXEC);
}

struct Counters {
  std::array<unsigned long long, kVerdictCount> by_verdict{};
  unsigned long long write_errors = 0;
};

void print_counters(const Counters& counters) {
  for (std::size_t i = 0; i < kVerdictCount; ++i) {
    std::fprintf(stderr, "vsd-decap: %s %llu\n",
                 vsd::realserver::verdict_name(static_cast<DecapVerdict>(i)),
                 counters.by_verdict[i]);
  }
  std::fprintf(stderr, "vsd-decap: tun_write_errors %llu\n", counters.write_errors);
}

int run(const Options& options) {
  const int tunnel_socket = open_tunnel_socket(options.vip);
  if (tunnel_socket < 0) {
    std::perror("vsd-decap: raw tunnel socket");
    return 1;
  }
  const int stop_signals = open_stop_signals();
  vsd::realserver::TunDevice tun(options.tun_name);
  std::fprintf(stderr, "vsd-decap: %s -> %s for %s\n", options.vip.is_v4() ? "ipip" : "ip6ip6",
               tun.name().c_str(), options.vip.to_string().c_str());

  Counters counters;
  std::array<std::byte, 65536> buffer;
  std::array<pollfd, 2> watched{{{tunnel_socket, POLLIN, 0}, {stop_signals, POLLIN, 0}}};
  for (;;) {
    if (::poll(watched.data(), watched.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::perror("vsd-decap: poll");
      break;
    }
    if (watched[1].revents != 0) break;
    const ssize_t received = ::recv(tunnel_socket, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (received <= 0) continue;
    const std::span<const std::byte> packet(buffer.data(), static_cast<std::size_t>(received));
    const auto result = options.vip.is_v4()
                            ? vsd::realserver::decapsulate_ipip(packet, options.vip)
                            : vsd::realserver::check_ip6ip6_payload(packet, options.vip);
    ++counters.by_verdict[static_cast<std::size_t>(result.verdict)];
    if (result.verdict != DecapVerdict::deliver) continue;
    if (::write(tun.fd(), result.inner.data(), result.inner.size()) < 0) ++counters.write_errors;
  }
  print_counters(counters);
  ::close(stop_signals);
  ::close(tunnel_socket);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) {
    print_usage();
    return kUsageError;
  }
  try {
    return run(*options);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "vsd-decap: %s\n", error.what());
    return 1;
  }
}

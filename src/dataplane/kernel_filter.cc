#include "dataplane/kernel_filter.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

extern char** environ;

namespace vsd::dataplane {
namespace {

std::string_view l4(core::Protocol p) {
  switch (p) {
    case core::Protocol::tcp:
      return "tcp";
    case core::Protocol::udp:
      return "udp";
    case core::Protocol::sctp:
      return "sctp";
  }
  return "tcp";
}

std::string family_word(const IpAddress& a) {
  return a.is_v4() ? "ip" : "ip6";
}

}  // namespace

std::string kernel_filter_script(const core::Snapshot& snapshot,
                                 const DataplaneSettings& settings) {
  std::set<std::string> rules;  // sorted and without repeats: the same rule per interface
  std::set<std::string> own;
  for (const InterfaceSettings& itf : settings.interfaces) {
    if (itf.ipv4) own.insert(itf.ipv4->to_string());
    if (itf.ipv6) own.insert(itf.ipv6->to_string());
  }
  for (const auto& view : snapshot.services()) {
    const core::ServiceKey& key = view->config().key;
    if (key.is_fwmark()) continue;  // marks are set by the kernel's own rules, after ingress
    const std::string fam = family_word(key.address);
    if (key.port == 0) {
      rules.insert(fam + " daddr " + key.address.to_string() + " meta l4proto " +
                   std::string(l4(key.protocol)) + " drop");
    } else {
      rules.insert(fam + " daddr " + key.address.to_string() + " " + std::string(l4(key.protocol)) +
                   " dport " + std::to_string(key.port) + " drop");
    }
    // Later fragments carry no port: every fragment to a VIP is the data plane's.
    if (key.address.is_v4())
      rules.insert("ip daddr " + key.address.to_string() + " ip frag-off & 0x1fff != 0 drop");
    for (const core::RealServer* d : view->destinations) {
      if (d->method() != core::ForwardMethod::masq) continue;
      std::string rule = family_word(d->address()) + " saddr " + d->address().to_string() + " " +
                         std::string(l4(key.protocol)) + " sport " +
                         std::to_string(d->port() ? d->port() : key.port);
      std::string not_ours;
      for (const std::string& a : own)
        if ((a.find(':') == std::string::npos) == d->address().is_v4())
          not_ours += (not_ours.empty() ? "" : ", ") + a;
      if (!not_ours.empty())
        rule += " " + family_word(d->address()) + " daddr != { " + not_ours + " }";
      rules.insert(rule + " drop");
    }
  }
  for (const IpAddress& local : settings.fullnat_addresses)
    rules.insert(family_word(local) + " daddr " + local.to_string() + " drop");

  std::string script = "table netdev vsd\ndelete table netdev vsd\ntable netdev vsd {\n";
  for (size_t i = 0; i < settings.interfaces.size(); ++i) {
    script += "  chain ingress" + std::to_string(i) + " {\n    type filter hook ingress device \"" +
              settings.interfaces[i].name + "\" priority -500; policy accept;\n";
    for (const std::string& r : rules) script += "    " + r + "\n";
    script += "  }\n";
  }
  script += "}\n";
  return script;
}

std::string kernel_filter_removal() {
  return "table netdev vsd\ndelete table netdev vsd\n";
}

Status apply_nft(const std::string& script) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    return Error{std::string("pipe: ") + std::strerror(errno), errno};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[0], 0);
  char nft[] = "nft";
  char file[] = "-f";
  char dash[] = "-";
  char* argv[] = {nft, file, dash, nullptr};
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, "nft", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[0]);
  if (spawned != 0) {
    close(pipe_fds[1]);
    return Error{std::string("nft: ") + std::strerror(spawned), spawned};
  }
  const char* at = script.data();
  size_t left = script.size();
  while (left > 0) {
    const ssize_t n = write(pipe_fds[1], at, left);
    if (n <= 0) break;
    at += n;
    left -= static_cast<size_t>(n);
  }
  close(pipe_fds[1]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error{"nft refused vsd's ingress table", EINVAL};
  return ok_status();
}

}  // namespace vsd::dataplane

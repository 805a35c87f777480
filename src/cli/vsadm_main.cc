// vsadm: the ipvsadm-compatible command line of vsd. It speaks ipvsadm 1.31's options and prints
// its output; the table lives in the vsd daemon, reached over its control socket (--socket PATH,
// else $VSD_SOCKET, else /run/vsd/vsd.sock).
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "api/protocol.h"
#include "cli/commands.h"
#include "cli/host_lookup.h"
#include "cli/name_resolver.h"

namespace {

// Takes vsadm's own --socket option out of the words ipvsadm's parser sees.
std::optional<std::string> take_socket_option(std::vector<std::string>& words) {
  std::optional<std::string> path;
  std::vector<std::string> rest;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (w == "--") {
      rest.insert(rest.end(), words.begin() + static_cast<std::ptrdiff_t>(i), words.end());
      break;
    }
    if (w == "--socket" && i + 1 < words.size()) {
      path = words[++i];
    } else if (w.rfind("--socket=", 0) == 0) {
      path = w.substr(9);
    } else {
      rest.push_back(w);
    }
  }
  words = std::move(rest);
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> words(argv + 1, argv + argc);
  const std::optional<std::string> socket = take_socket_option(words);

  vsd::cli::Session session(vsd::api::socket_path(socket));
  const vsd::cli::SystemHostLookup lookup;
  const vsd::cli::SystemNameResolver resolver;
  vsd::cli::Environment env;
  env.program = argc > 0 ? argv[0] : "vsadm";
  env.lookup = &lookup;
  env.resolver = &resolver;
  env.input = &std::cin;

  const vsd::cli::Outcome outcome = vsd::cli::run_vsadm(words, session, env);
  std::fwrite(outcome.out.data(), 1, outcome.out.size(), stdout);
  std::fflush(stdout);
  std::fwrite(outcome.err.data(), 1, outcome.err.size(), stderr);
  return outcome.status;
}

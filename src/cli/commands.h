#pragma once

#include <istream>
#include <optional>
#include <span>
#include <string>

#include "api/client.h"
#include "cli/arguments.h"
#include "cli/host_lookup.h"
#include "cli/name_resolver.h"

namespace vsd::cli {

// vsadm's link to the daemon, opened on first use as ipvsadm opens its kernel socket (so that
// -h, -v and argument errors never need a daemon).
class Session {
 public:
  explicit Session(std::string socket_path) : path_(std::move(socket_path)) {}
  Status open();
  Result<api::Json> call(const std::string& op, const api::Json& args = api::Json::object());
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::optional<api::Client> client_;
};

// What vsadm prints and how it ends. ends_program: ipvsadm exit()s there, so under -R the lines
// that follow do not run.
struct Outcome {
  std::string out;
  std::string err;
  int status = 0;
  bool ends_program = false;
};

struct Environment {
  std::string program = "ipvsadm";         // argv[0], as ipvsadm's help texts show it
  const HostLookup* lookup = nullptr;      // names in -t/-u/-r/-M (null: numbers only)
  const NameResolver* resolver = nullptr;  // names in listings without -n (null: numbers)
  std::istream* input = nullptr;           // what -R reads
};

// ipvsadm after its kernel check: no words lists the table; anything else is one command line.
Outcome run_vsadm(std::span<const std::string> words, Session& session, const Environment& env);

// One parsed command against the daemon. reading_stdin: the command came from -R's input.
Outcome execute(const Command& command, Session& session, const Environment& env,
                bool reading_stdin);

// One command line: parse, then execute.
Outcome run_line(std::span<const std::string> words, Session& session, const Environment& env,
                 bool reading_stdin);

}  // namespace vsd::cli

// MISC_CHECK (keepalived's check_misc.c): runs misc_path; exit 0 is success. With misc_dynamic,
// exit 1 is failure and 2..255 is success with the real server's weight set to (status - 2).
// A script still running at misc_timeout (default: delay_loop) fails the check and is killed.
#include "config/values.h"
#include "health/checkers.h"
#include "health/script_runner.h"

namespace vsd::health {
namespace {

struct MiscSettings {
  std::string path;
  std::optional<Duration> timeout;
  bool dynamic = false;
  std::optional<std::string> user;
};

class MiscProbe final : public Probe {
 public:
  MiscProbe(const MiscSettings& settings, ScriptRunner& scripts)
      : settings_(settings), scripts_(scripts) {}
  ~MiscProbe() override { cancel(); }

  void start(Done done) override {
    done_ = std::move(done);
    // The checker base enforces the deadline; the runner's own limit only backs it up.
    running_ = scripts_.run(
        settings_.path, Duration{0},
        [this](const ScriptExit& e) {
          running_ = 0;
          done_(interpret(e));
        },
        settings_.user);
    if (!running_) done_(ProbeResult{false, "cannot run " + settings_.path, std::nullopt});
  }
  void cancel() override {
    if (running_) scripts_.abandon(running_);
    running_ = 0;
  }

 private:
  ProbeResult interpret(const ScriptExit& e) const {
    if (!e.exited)
      return {false,
              "Misc check " + settings_.path + " killed by signal " + std::to_string(e.signal),
              std::nullopt};
    if (e.status == 0) return {true, "", std::nullopt};
    if (settings_.dynamic && e.status >= 2) return {true, "", int64_t{e.status - 2}};
    return {false,
            "Misc check " + settings_.path + " exited with status " + std::to_string(e.status),
            std::nullopt};
  }

  MiscSettings settings_;
  ScriptRunner& scripts_;
  Done done_;
  ScriptRunner::Id running_ = 0;
};

class MiscSpec final : public ProbeSpec {
 public:
  bool read(const config::Node& s, config::Diagnostics& d) override {
    const std::string& k = s.name();
    if (k == "misc_path") {
      // keepalived takes the rest of the line as the command
      std::string command;
      for (const config::Word& w : s.args) command += (command.empty() ? "" : " ") + w.text;
      if (command.empty()) d.error(s.where(), "'misc_path' needs a command");
      settings_.path = command;
    } else if (k == "misc_timeout") {
      if (auto us = config::timer_arg_us(s, 0, d)) settings_.timeout = microseconds(*us);
    } else if (k == "misc_dynamic") {
      settings_.dynamic = true;
    } else if (k == "user") {
      settings_.user = config::string_arg(s, 0, d);
    } else {
      return false;
    }
    return true;
  }
  void finish(const config::Node& block, config::Diagnostics& d) override {
    if (settings_.path.empty()) d.error(block.where(), "MISC_CHECK needs misc_path");
  }
  std::optional<Duration> own_timeout() const override { return settings_.timeout; }
  bool times_out_at_delay_loop() const override { return true; }
  std::unique_ptr<Probe> make(const ConnectTarget&, ProbeEnv env) const override {
    return std::make_unique<MiscProbe>(settings_, env.scripts);
  }

 private:
  MiscSettings settings_;
};

}  // namespace

std::unique_ptr<ProbeSpec> misc_check_spec() {
  return std::make_unique<MiscSpec>();
}

}  // namespace vsd::health

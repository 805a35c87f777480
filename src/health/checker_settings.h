#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/block_tree.h"
#include "config/configuration.h"
#include "config/diagnostics.h"
#include "health/probe.h"

namespace vsd::health {

// The timing every checker shares (keepalived.conf(5)): a check every delay_loop; a failed check
// is retried `retry` times, delay_before_retry apart, before the checker fails; each attempt may
// take connect_timeout; the first check starts at a random point of [0, warmup] so that
// thousands of checkers do not fire together; alpha starts the checker failed.
struct CheckTiming {
  Duration delay_loop = seconds(60);
  Duration connect_timeout = seconds(5);
  unsigned retry = 1;
  Duration delay_before_retry = seconds(1);
  std::optional<Duration> warmup;  // default: delay_loop
  bool alpha = false;
  Duration first_check_bound() const { return warmup.value_or(delay_loop); }
};

// A checker block read whole: its type, timing, target and protocol settings, and the text that
// identifies it across a reload (the same text in the same place is the same checker).
struct CheckerSettings {
  std::string type;  // PING_CHECK for ICMP_CHECK too
  CheckTiming timing;
  ConnectTarget target;
  std::unique_ptr<ProbeSpec> spec;
  std::string identity;
};

// Reads one checker block of a real server of `vs`; nullopt (with located errors) when it is
// unusable. `service_port` is the port DR/TUN real servers really listen on.
std::optional<CheckerSettings> read_checker(const config::CheckerConfig& checker,
                                            const config::VirtualServerConfig& vs,
                                            const config::RealServerConfig& rs,
                                            config::Diagnostics& d);

// Reads every checker of every real server the way the daemon will, keeping only the located
// warnings and errors: `vsd -t` reports a mistake inside a checker block before a start or a
// reload meets it.
void check_every_checker(const config::Configuration& config, config::Diagnostics& d);

// The ProbeSpec for a checker type; nullptr when vsd has none (BFD_CHECK).
std::unique_ptr<ProbeSpec> make_spec(const std::string& type);

// A block's statements as one line of text, for identities and messages.
std::string block_text(const config::Node& block);

}  // namespace vsd::health

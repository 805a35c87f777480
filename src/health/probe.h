#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/address.h"
#include "common/time.h"
#include "config/block_tree.h"
#include "config/configuration.h"
#include "config/diagnostics.h"
#include "health/io.h"

namespace vsd::health {

class FileWatcher;
class ScriptRunner;

// The outcome of one check. `weight` is set by checkers that set the real server's weight
// (MISC_CHECK with misc_dynamic); `weight_offset` by those that move it from its configured
// weight (FILE_CHECK with a weight: value * weight).
struct ProbeResult {
  bool ok = false;
  std::string detail;  // why it failed, in keepalived's words where it has some
  std::optional<int64_t> weight;
  int64_t weight_offset = 0;
};

// Where a checker connects: the real server unless connect_ip/connect_port say otherwise, from
// bindto/bind_port when given.
struct ConnectTarget {
  Endpoint destination;
  std::optional<IpAddress> bind_address;
  uint16_t bind_port = 0;
};

// What a probe may use while it runs.
struct ProbeEnv {
  Io& io;
  ScriptRunner& scripts;
  FileWatcher* files = nullptr;  // none: files are read only at each check
};

// One protocol's check, run once per start(). It never blocks: it watches its sockets through
// Io and calls `done` exactly once, unless cancel() comes first (the checker base cancels a
// probe at its deadline and when the checker goes away).
class Probe {
 public:
  using Done = std::function<void(ProbeResult)>;
  virtual ~Probe() = default;
  virtual void start(Done done) = 0;
  virtual void cancel() = 0;
  // The attempt's deadline passed (the probe has been cancelled): usually a failure, but a
  // UDP_CHECK that needs no reply passes when no ICMP error came back in time.
  virtual ProbeResult at_deadline() { return ProbeResult{false, "timeout", std::nullopt}; }
  // A probe whose answer needs no waiting (FILE_CHECK reads a file) gives it here, so that the
  // checker starts in the right state instead of flapping at its first check.
  virtual std::optional<ProbeResult> state_now() { return std::nullopt; }
  // A probe that learns of a change between checks (FILE_CHECK's watched file) reports the new
  // result through `changed`, which the checker applies at once. The checker sets it once.
  virtual void report_changes(Done changed) { (void)changed; }
};

// One checker type's settings, read from its block one keyword at a time; each checker file
// supplies one. Keywords common to every checker are read by the base (checker_settings.h).
class ProbeSpec {
 public:
  virtual ~ProbeSpec() = default;
  // Reads `s` if it is one of this checker's keywords; false if it is not.
  virtual bool read(const config::Node& s, config::Diagnostics& d) = 0;
  // After the whole block: report settings that are missing or inconsistent.
  virtual void finish(const config::Node& block, config::Diagnostics& d) { (void)block, (void)d; }
  // How long one check may take; connect_timeout unless the checker has its own.
  virtual std::optional<Duration> own_timeout() const { return std::nullopt; }
  // Without its own timeout: true when the limit is delay_loop (MISC_CHECK), not connect_timeout.
  virtual bool times_out_at_delay_loop() const { return false; }
  // The virtual server's virtualhost, for checkers that send one (HTTP_GET, SSL_GET).
  virtual void inherit_virtualhost(const std::optional<std::string>& vhost) { (void)vhost; }
  // The track_file block a FILE_CHECK names (resolved by the configuration parser).
  virtual void use_track_file(const std::optional<config::TrackFileConfig>& file) { (void)file; }
  // keepalived applies a tracked file's value at once: no retries, no alpha, no warmup.
  virtual bool applies_at_once() const { return false; }
  virtual std::unique_ptr<Probe> make(const ConnectTarget& target, ProbeEnv env) const = 0;
};

}  // namespace vsd::health

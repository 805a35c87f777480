#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "health/io.h"

namespace vsd::health {

// How a script ended: its exit status, or killed (by its timeout or a signal).
struct ScriptExit {
  bool exited = false;
  int status = 0;  // exit status when exited
  int signal = 0;  // the signal that ended it otherwise
  bool timed_out = false;
};

// Runs scripts (MISC_CHECK, notify_up/down, quorum_up/down) by fork/exec without blocking the
// control loop: each child is watched through a pidfd, so it is reaped as soon as it ends and
// no SIGCHLD handler is needed. A script still running at its timeout gets SIGTERM, then
// SIGKILL a second later; every child is reaped, including those of a runner being destroyed.
class ScriptRunner {
 public:
  using Id = uint64_t;
  using Finished = std::function<void(const ScriptExit&)>;

  explicit ScriptRunner(Io& io) : io_(io) {}
  ~ScriptRunner();
  ScriptRunner(const ScriptRunner&) = delete;
  ScriptRunner& operator=(const ScriptRunner&) = delete;

  // Runs `command` through /bin/sh -c (keepalived's scripts are command lines), as `user` when
  // given (needs root). timeout 0: no limit. Returns 0 when it could not start (then `finished`
  // is not called).
  Id run(const std::string& command, Duration timeout, Finished finished,
         const std::optional<std::string>& user = std::nullopt);
  // Starts `command` and forgets it (omega scripts at shutdown): it is re-parented to init, so it
  // outlives the daemon and is reaped there.
  bool run_detached(const std::string& command);
  // Stops caring about the result: the child is still terminated and reaped.
  void abandon(Id id);
  size_t running() const { return children_.size(); }

 private:
  struct Child {
    pid_t pid;
    int pidfd;
    Finished finished;
    TimerQueue::Id timer = 0;
    bool timed_out = false;
  };
  void reap(Id id);
  void terminate(Id id, int signal);

  Io& io_;
  std::unordered_map<Id, Child> children_;
  Id next_id_ = 1;
};

}  // namespace vsd::health

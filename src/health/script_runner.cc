#include "health/script_runner.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace vsd::health {

namespace {

int pidfd_open(pid_t pid) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
}

// In the child: the signals the daemon blocks (for its signalfd) must not stay blocked in the
// script, and the script runs as `user` when asked.
[[noreturn]] void exec_child(const std::string& command, const std::optional<std::string>& user) {
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  setsid();
  if (user) {
    const passwd* pw = getpwnam(user->c_str());
    if (!pw || initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0)
      _exit(126);
  }
  const int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    if (null > 2) close(null);
  }
  execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
  _exit(127);
}

}  // namespace

ScriptRunner::~ScriptRunner() {
  for (auto& [id, child] : children_) {
    if (child.timer) io_.cancel(child.timer);
    io_.unwatch(child.pidfd);
    kill(-child.pid, SIGKILL);
    kill(child.pid, SIGKILL);
    waitpid(child.pid, nullptr, 0);
    close(child.pidfd);
  }
}

ScriptRunner::Id ScriptRunner::run(const std::string& command, Duration timeout, Finished finished,
                                   const std::optional<std::string>& user) {
  const pid_t pid = fork();
  if (pid < 0) return 0;
  if (pid == 0) exec_child(command, user);
  const int pidfd = pidfd_open(pid);
  if (pidfd < 0) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return 0;
  }
  const Id id = next_id_++;
  Child& child = children_[id];
  child = Child{pid, pidfd, std::move(finished)};
  if (!io_.watch(pidfd, EPOLLIN, [this, id](uint32_t) { reap(id); })) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(pidfd);
    children_.erase(id);
    return 0;
  }
  if (timeout > Duration{0})
    child.timer = io_.after(timeout, [this, id] { terminate(id, SIGTERM); });
  return id;
}

bool ScriptRunner::run_detached(const std::string& command) {
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (fork() == 0) exec_child(command, std::nullopt);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);  // the middle process exits at once
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void ScriptRunner::terminate(Id id, int signal) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  Child& child = it->second;
  if (child.timer) io_.cancel(child.timer);
  child.timed_out = true;
  kill(-child.pid, signal);  // the script's whole process group (it called setsid)
  kill(child.pid, signal);
  child.timer =
      signal == SIGTERM ? io_.after(seconds(1), [this, id] { terminate(id, SIGKILL); }) : 0;
}

void ScriptRunner::abandon(Id id) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  it->second.finished = nullptr;
  if (!it->second.timed_out) terminate(id, SIGTERM);
}

void ScriptRunner::reap(Id id) {
  auto it = children_.find(id);
  if (it == children_.end()) return;
  Child child = std::move(it->second);
  children_.erase(it);
  int status = 0;
  if (waitpid(child.pid, &status, WNOHANG) == 0) {
    // The pidfd said it ended; waitpid must agree. Be safe rather than leave a zombie.
    waitpid(child.pid, &status, 0);
  }
  if (child.timer) io_.cancel(child.timer);
  io_.unwatch(child.pidfd);
  close(child.pidfd);
  if (!child.finished) return;
  ScriptExit exit;
  exit.exited = WIFEXITED(status);
  exit.status = exit.exited ? WEXITSTATUS(status) : 0;
  exit.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  exit.timed_out = child.timed_out;
  child.finished(exit);
}

}  // namespace vsd::health

#include "health/file_watcher.h"

#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace vsd::health {
namespace {

// keepalived's mask: a write finished, a file moved in or out, a file removed. IN_MODIFY is left
// out on purpose: a half-written file is read only once it is closed.
constexpr uint32_t kEvents = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE;

// The canonical path, or empty with `missing` set when path does not exist.
std::string resolved(const std::string& path, bool& missing) {
  std::unique_ptr<char, decltype(&free)> real(realpath(path.c_str(), nullptr), &free);
  missing = !real && errno == ENOENT;
  return real ? std::string(real.get()) : std::string();
}

// The directory to watch and the file's name in it. The file itself is resolved when it exists
// (a symbolic link is watched where it points), else only its directory.
bool split(const std::string& path, std::string& directory, std::string& name) {
  bool missing = false;
  std::string full = resolved(path, missing);
  if (full.empty()) {
    if (!missing) return false;
    const size_t slash = path.rfind('/');
    const std::string parent = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    full = resolved(parent, missing);
    if (full.empty()) return false;
    full += "/" + path.substr(slash == std::string::npos ? 0 : slash + 1);
  }
  const size_t slash = full.rfind('/');
  directory = slash == 0 ? "/" : full.substr(0, slash);
  name = full.substr(slash + 1);
  return !name.empty();
}

}  // namespace

FileWatcher::Follow& FileWatcher::Follow::operator=(Follow&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = other.owner_;
    id_ = other.id_;
    other.owner_ = nullptr;
  }
  return *this;
}

void FileWatcher::Follow::release() {
  if (owner_) owner_->unfollow(id_);
  owner_ = nullptr;
}

FileWatcher::~FileWatcher() {
  close_descriptor();
}

FileWatcher::Follow FileWatcher::follow(const std::string& path, Changed changed) {
  std::string directory, name;
  if (!split(path, directory, name)) return {};
  if (fd_ < 0 && !open_descriptor()) return {};
  const int wd = inotify_add_watch(fd_, directory.c_str(), kEvents | IN_ONLYDIR);
  if (wd < 0) {
    if (followers_.empty()) close_descriptor();
    return {};
  }
  ++directories_[wd];
  const uint64_t id = next_id_++;
  followers_.emplace(id, Follower{wd, std::move(name), std::move(changed)});
  return Follow(this, id);
}

bool FileWatcher::open_descriptor() {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return false;
  if (!io_.watch(fd_, EPOLLIN, [this](uint32_t) { drain(); })) {
    close(fd_);
    fd_ = -1;
    return false;
  }
  return true;
}

void FileWatcher::close_descriptor() {
  if (fd_ < 0) return;
  io_.unwatch(fd_);
  close(fd_);  // drops every watch with it
  fd_ = -1;
  directories_.clear();
}

void FileWatcher::unfollow(uint64_t id) {
  auto it = followers_.find(id);
  if (it == followers_.end()) return;
  const int wd = it->second.wd;
  followers_.erase(it);
  if (auto dir = directories_.find(wd); dir != directories_.end() && --dir->second == 0) {
    directories_.erase(dir);
    inotify_rm_watch(fd_, wd);
  }
  if (followers_.empty()) close_descriptor();
}

void FileWatcher::drain() {
  std::vector<uint64_t> touched;
  alignas(inotify_event) char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    for (size_t at = 0; at + sizeof(inotify_event) <= static_cast<size_t>(n);) {
      inotify_event event;
      std::memcpy(&event, buffer + at, sizeof(event));
      const char* name = buffer + at + sizeof(event);
      at += sizeof(event) + event.len;
      if (event.mask & IN_Q_OVERFLOW) {
        // Events were lost: every file may have changed.
        for (const auto& [id, follower] : followers_) touched.push_back(id);
        continue;
      }
      if (event.mask & IN_IGNORED) {
        // The directory went away (or was unmounted): its files fall back to the periodic read.
        directories_.erase(event.wd);
        for (auto& [id, follower] : followers_)
          if (follower.wd == event.wd) follower.wd = -1;
        continue;
      }
      if ((event.mask & IN_ISDIR) || event.len == 0) continue;
      const std::string_view changed(name, strnlen(name, event.len));
      for (const auto& [id, follower] : followers_)
        if (follower.wd == event.wd && follower.name == changed) touched.push_back(id);
    }
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  dispatch(touched);
}

void FileWatcher::dispatch(const std::vector<uint64_t>& ids) {
  // A callback may end other follows (a reload): look each one up again before calling it.
  for (uint64_t id : ids) {
    auto it = followers_.find(id);
    if (it == followers_.end()) continue;
    const Changed changed = it->second.changed;
    changed();
  }
}

}  // namespace vsd::health

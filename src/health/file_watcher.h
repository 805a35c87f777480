#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "health/io.h"

namespace vsd::health {

// Tells FILE_CHECK probes at once when their track_file's file changes, as keepalived's
// trackers/track_file.c does: one inotify descriptor on the control loop (through Io, no thread),
// a watch on the directory that holds each file (IN_CLOSE_WRITE, IN_MOVED_TO, IN_MOVED_FROM,
// IN_DELETE), so that `echo 1 > f`, `mv tmp f` and `rm f` are all seen. The descriptor exists
// only while someone follows a file; a directory's watch only while one of its files is followed.
class FileWatcher {
 public:
  using Changed = std::function<void()>;

  // Stops following its file when it goes away. Empty when the file could not be watched (no
  // inotify, a missing directory, an Io without descriptors): the caller then relies on its
  // periodic read alone.
  class Follow {
   public:
    Follow() = default;
    Follow(FileWatcher* owner, uint64_t id) : owner_(owner), id_(id) {}
    Follow(Follow&& other) noexcept : owner_(other.owner_), id_(other.id_) {
      other.owner_ = nullptr;
    }
    Follow& operator=(Follow&& other) noexcept;
    Follow(const Follow&) = delete;
    Follow& operator=(const Follow&) = delete;
    ~Follow() { release(); }
    bool active() const { return owner_ != nullptr; }

   private:
    void release();
    FileWatcher* owner_ = nullptr;
    uint64_t id_ = 0;
  };

  explicit FileWatcher(Io& io) : io_(io) {}
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  // Calls `changed` on the control loop after each write, move or removal of `path` (the file
  // need not exist yet; its directory must). A symbolic link is followed to the file it names now.
  Follow follow(const std::string& path, Changed changed);

  size_t followed() const { return followers_.size(); }
  size_t watched_directories() const { return directories_.size(); }

 private:
  struct Follower {
    int wd;
    std::string name;  // the file's name inside the watched directory
    Changed changed;
  };

  bool open_descriptor();
  void close_descriptor();
  void unfollow(uint64_t id);
  void drain();
  void dispatch(const std::vector<uint64_t>& ids);

  Io& io_;
  int fd_ = -1;
  std::map<int, size_t> directories_;  // inotify watch -> followers in that directory
  std::map<uint64_t, Follower> followers_;
  uint64_t next_id_ = 1;
};

}  // namespace vsd::health

// FILE_CHECK (keepalived's check_file.c and trackers/track_file.c): the real server follows the
// integer in a track_file's file. With weight 0 a non-zero value is down (reverse: zero is down);
// with a weight the real server's weight moves by value * weight (reverse: minus), and a product
// at or below INT32_MIN is down. A missing or empty file reads as 0; a number outside the int32
// range is ignored (the last value stays). The file is read when the checker starts, at each
// delay_loop, and at once after each write, move or removal that the FileWatcher reports.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>

#include "config/values.h"
#include "health/checkers.h"
#include "health/file_watcher.h"

namespace vsd::health {
namespace {

struct FileRule {
  std::string name;  // the track_file block's
  std::string path;
  int64_t weight = 0;
  bool reverse = false;
};

class FileProbe final : public Probe {
 public:
  FileProbe(FileRule rule, FileWatcher* files) : rule_(std::move(rule)) {
    if (files && !rule_.path.empty())
      follow_ = files->follow(rule_.path, [this] {
        if (changed_) changed_(judge(read_value()));
      });
  }
  void start(Done done) override { done(judge(read_value())); }
  void cancel() override {}
  std::optional<ProbeResult> state_now() override { return judge(read_value()); }
  void report_changes(Done changed) override { changed_ = std::move(changed); }

 private:
  int64_t read_value() {
    const int fd = open(rule_.path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return last_ = 0;
    char buffer[128];
    const ssize_t n = read(fd, buffer, sizeof(buffer) - 1);
    close(fd);
    if (n <= 0) return last_ = 0;
    buffer[n] = '\0';
    errno = 0;
    const long long v = std::strtoll(buffer, nullptr, 0);
    if (errno || v < INT32_MIN || v > int64_t{INT32_MAX} + 1) return last_;
    return last_ = v;
  }

  ProbeResult judge(int64_t value) const {
    const std::string holds =
        "track_file " + rule_.name + " (" + rule_.path + ") holds " + std::to_string(value);
    if (rule_.weight == 0) {
      if ((value != 0) != rule_.reverse) return ProbeResult{false, holds, std::nullopt, 0};
      return ProbeResult{true, "", std::nullopt, 0};
    }
    const int64_t status =
        std::clamp<int64_t>(value * rule_.weight * (rule_.reverse ? -1 : 1), INT32_MIN, INT32_MAX);
    if (status == INT32_MIN) return ProbeResult{false, holds, std::nullopt, 0};
    return ProbeResult{true, "", std::nullopt, status};
  }

  FileRule rule_;
  int64_t last_ = 0;
  Done changed_;
  FileWatcher::Follow follow_;  // last: unfollows before the rest goes
};

class FileSpec final : public ProbeSpec {
 public:
  bool read(const config::Node& s, config::Diagnostics& d) override {
    const std::string& k = s.name();
    if (k == "track_file") {
      named_ = config::string_arg(s, 0, d).has_value();
    } else if (k == "weight") {
      if (auto v = config::integer_arg(s, 0, -core::kMaxWeight, core::kMaxWeight, d)) weight_ = *v;
      reverse_ = false;
      if (s.args.size() > 1 && (s.args[1].text == "reverse" || s.args[1].text == "noreverse"))
        reverse_ = s.args[1].text == "reverse";
      else if (s.args.size() > 1)
        d.error(s.args[1].where, "unknown weight option '" + s.args[1].text + "' (reverse)");
    } else if (k == "file") {
      d.error(s.where(), "FILE_CHECK names a track_file block (track_file NAME { file " +
                             (s.args.empty() ? std::string("PATH") : s.args[0].text) +
                             " }) with 'track_file NAME'");
    } else {
      return false;
    }
    return true;
  }
  void use_track_file(const std::optional<config::TrackFileConfig>& file) override { file_ = file; }
  void finish(const config::Node& block, config::Diagnostics& d) override {
    // An unknown name has its error from the configuration parser already.
    if (!named_) d.error(block.where(), "FILE_CHECK has no track_file specified");
  }
  bool applies_at_once() const override { return true; }
  std::unique_ptr<Probe> make(const ConnectTarget&, ProbeEnv env) const override {
    FileRule rule;
    if (file_) {
      rule.name = file_->name;
      rule.path = file_->path;
      rule.weight = weight_.value_or(file_->weight);
      rule.reverse = weight_ ? reverse_ : file_->reverse;
    }
    return std::make_unique<FileProbe>(std::move(rule), env.files);
  }

 private:
  bool named_ = false;
  std::optional<int64_t> weight_;  // unset: the track_file's weight and reverse
  bool reverse_ = false;
  std::optional<config::TrackFileConfig> file_;
};

}  // namespace

std::unique_ptr<ProbeSpec> file_check_spec() {
  return std::make_unique<FileSpec>();
}

}  // namespace vsd::health

// FILE_CHECK: the real server follows a file's content. keepalived reads it through a
// track_file block; vsd takes the path in the checker itself ("file PATH"). The file holds a
// number: 0 is up, anything else (or a missing file) is down.
#include <fstream>

#include "config/values.h"
#include "health/checkers.h"

namespace vsd::health {
namespace {

class FileProbe final : public Probe {
 public:
  explicit FileProbe(std::string path) : path_(std::move(path)) {}
  void start(Done done) override {
    std::ifstream in(path_);
    long value = 0;
    if (!(in >> value)) return done(ProbeResult{false, "cannot read a number from " + path_, {}});
    if (value != 0) return done(ProbeResult{false, path_ + " holds " + std::to_string(value), {}});
    done(ProbeResult{true, "", {}});
  }
  void cancel() override {}

 private:
  std::string path_;
};

class FileSpec final : public ProbeSpec {
 public:
  bool read(const config::Node& s, config::Diagnostics& d) override {
    if (s.name() != "file" && s.name() != "track_file") return false;
    if (auto v = config::string_arg(s, 0, d)) path_ = *v;
    return true;
  }
  void finish(const config::Node& block, config::Diagnostics& d) override {
    if (path_.empty()) d.error(block.where(), "FILE_CHECK needs 'file PATH'");
  }
  std::unique_ptr<Probe> make(const ConnectTarget&, ProbeEnv) const override {
    return std::make_unique<FileProbe>(path_);
  }

 private:
  std::string path_;
};

}  // namespace

std::unique_ptr<ProbeSpec> file_check_spec() {
  return std::make_unique<FileSpec>();
}

}  // namespace vsd::health

#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"

namespace vsd::config {

// Where a word came from, for "file:line: message".
struct SourceLocation {
  std::shared_ptr<const std::string> file;
  unsigned line = 0;
};
std::string to_string(const SourceLocation& where);

struct Word {
  std::string text;
  bool quoted = false;  // "{" in quotes is text, not a block
  SourceLocation where;
  bool is(std::string_view s) const { return !quoted && text == s; }
};

// One logical configuration line: a keyword and its arguments. Braces are words of their own,
// so "virtual_server 10.0.0.1 80 {" is five words.
struct Line {
  std::vector<Word> words;
  const SourceLocation& where() const { return words.front().where; }
};

// Receives each line as soon as it is read; it may move the words out of the line.
using LineSink = std::function<void(Line&)>;

struct LexOptions {
  // keepalived's config-id (-i): lines "@id ..." apply only when it matches, "@^id ..." only
  // when it does not. Defaults to the host name's first label, as keepalived does.
  std::string config_id;
  unsigned max_include_depth = 32;
};

// Reads a keepalived.conf-style file into lines, the way keepalived reads it: '#' and '!'
// start a comment anywhere outside quotes; quoted strings keep their spaces and shell-style
// escapes; "include PATTERN" (and includer/includem/includew/includeb/includea) splices in the
// files the glob matches, relative to the including file; "$NAME=value" defines a parameter and
// "$NAME"/"${NAME}" substitutes it; a line ending in '\' continues a definition. Problems that
// stop reading (unreadable main file, include loop, unterminated quote) are errors with
// file:line; the rest are reported as warnings.
class Lexer {
 public:
  explicit Lexer(LexOptions options = {});
  Result<std::vector<Line>> read_file(const std::string& path);
  Result<std::vector<Line>> read_string(const std::string& text, const std::string& name);
  // The same reading, line by line into `sink`, so that a large file is never held as a list of
  // lines (the parser builds its block tree as the lines come).
  Status read_file(const std::string& path, const LineSink& sink);
  Status read_string(const std::string& text, const std::string& name, const LineSink& sink);
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  Status read_into(const std::string& text, std::shared_ptr<const std::string> name,
                   const std::string& directory, unsigned depth, const LineSink& sink);
  Status include(const std::vector<Word>& words, const std::string& directory, unsigned depth,
                 const LineSink& sink);
  std::string substitute(const std::string& line) const;

  LexOptions options_;
  std::map<std::string, std::string> parameters_;
  std::vector<std::string> warnings_;
  std::vector<std::string> open_files_;
};

}  // namespace vsd::config

#pragma once

#include <optional>
#include <vector>

#include "common/result.h"
#include "config/lexer.h"

namespace vsd::config {

// A statement: a keyword, its arguments and, if it opened a block, the statements inside.
struct Node {
  Word keyword;
  std::vector<Word> args;
  std::vector<Node> children;
  bool is_block = false;

  const SourceLocation& where() const { return keyword.where; }
  const std::string& name() const { return keyword.text; }
};

// Groups lines into nested blocks. keepalived allows braces anywhere ("real_server 10.0.0.2 80
// { weight 2 }" on one line, or "{" alone on the next line), so braces end statements as
// newlines do. Unbalanced braces are errors with file:line.
Result<std::vector<Node>> build_block_tree(std::vector<Line>&& lines);

// The same, fed one line at a time as the lexer reads them (its LineSink), so that a large
// file is never held as a list of lines. The first error is kept and the lines after it ignored:
// the lexer still reads to the end, and its own errors come first.
class BlockTreeBuilder {
 public:
  void add(Line& line);  // moves the words out of `line`
  Result<std::vector<Node>> finish();

 private:
  std::vector<Node>& current() { return open_.empty() ? top_ : open_.back()->children; }

  std::vector<Node> top_;
  std::vector<Node*> open_;  // blocks not yet closed, innermost last
  std::optional<Error> error_;
};

}  // namespace vsd::config

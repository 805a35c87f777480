#pragma once

#include <functional>
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

// The same, fed one line at a time as the lexer reads them (its LineSink), so that a large file is
// never held as a list of lines. Given a statement sink, it hands each top-level statement over as
// soon as it is complete (when the next one starts, or at finish) instead of keeping it: a large
// file is never held whole as a tree either. The first error is kept and the lines after it
// ignored: the lexer still reads to the end, and its own errors come first.
class BlockTreeBuilder {
 public:
  using StatementSink = std::function<void(Node&)>;  // may move from the statement

  BlockTreeBuilder() = default;
  explicit BlockTreeBuilder(StatementSink statements) : statements_(std::move(statements)) {}

  void add(Line& line);  // moves the words out of `line`
  // The top-level statements not handed to a statement sink (so none when there is one).
  Result<std::vector<Node>> finish();

 private:
  std::vector<Node>& current() { return open_.empty() ? top_ : open_.back()->children; }
  void hand_over();

  StatementSink statements_;
  std::vector<Node> top_;
  std::vector<Node*> open_;  // blocks not yet closed, innermost last
  std::optional<Error> error_;
};

}  // namespace vsd::config

#pragma once

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

}  // namespace vsd::config

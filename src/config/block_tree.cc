#include "config/block_tree.h"

namespace vsd::config {

Result<std::vector<Node>> build_block_tree(std::vector<Line>&& lines) {
  std::vector<Node> top;
  std::vector<Node*> open;  // blocks not yet closed, innermost last
  auto current = [&]() -> std::vector<Node>& { return open.empty() ? top : open.back()->children; };
  Node* pending = nullptr;  // the statement being read; a "{" opens it as a block

  for (Line& line : lines) {
    for (Word& w : line.words) {
      if (w.is("{")) {
        if (!pending) {
          // "{" alone on a line opens the previous statement if it has no block yet.
          auto& siblings = current();
          if (siblings.empty() || siblings.back().is_block)
            return Error{to_string(w.where) + ": '{' without a keyword before it"};
          pending = &siblings.back();
        }
        pending->is_block = true;
        open.push_back(pending);
        pending = nullptr;
      } else if (w.is("}")) {
        if (open.empty()) return Error{to_string(w.where) + ": '}' without a block to close"};
        open.pop_back();
        pending = nullptr;
      } else if (pending) {
        pending->args.push_back(std::move(w));
      } else {
        current().push_back(Node{std::move(w), {}, {}, false});
        pending = &current().back();
      }
    }
    pending = nullptr;  // a new line starts a new statement
  }
  if (!open.empty())
    return Error{to_string(open.back()->where()) + ": block '" + open.back()->name() +
                 "' is never closed"};
  return top;
}

}  // namespace vsd::config

#include "config/block_tree.h"

#include <algorithm>

namespace vsd::config {

namespace {

size_t words_before_brace(std::vector<Word>::const_iterator from,
                          std::vector<Word>::const_iterator end) {
  const auto brace = std::find_if(from, end, [](const Word& w) { return w.is("{") || w.is("}"); });
  return static_cast<size_t>(brace - from);
}

}  // namespace

void BlockTreeBuilder::add(Line& line) {
  if (error_) return;
  Node* pending = nullptr;  // the statement being read; a "{" opens it as a block
  for (auto it = line.words.begin(); it != line.words.end(); ++it) {
    Word& w = *it;
    if (w.is("{")) {
      if (!pending) {
        // "{" alone on a line opens the previous statement if it has no block yet.
        auto& siblings = current();
        if (siblings.empty() || siblings.back().is_block) {
          error_ = Error{to_string(w.where) + ": '{' without a keyword before it"};
          return;
        }
        pending = &siblings.back();
      }
      pending->is_block = true;
      open_.push_back(pending);
      pending = nullptr;
    } else if (w.is("}")) {
      if (open_.empty()) {
        error_ = Error{to_string(w.where) + ": '}' without a block to close"};
        return;
      }
      open_.pop_back();
      pending = nullptr;
    } else if (pending) {
      pending->args.push_back(std::move(w));
    } else {
      // A new top-level statement completes the ones before it: a later "{" can open only the
      // statement just before it.
      if (open_.empty()) hand_over();
      current().push_back(Node{std::move(w), {}, {}, false});
      pending = &current().back();
      // Its arguments are the words up to the next brace: one allocation, not one per growth.
      pending->args.reserve(words_before_brace(std::next(it), line.words.end()));
    }
  }
}

void BlockTreeBuilder::hand_over() {
  if (!statements_) return;
  for (Node& statement : top_) statements_(statement);
  top_.clear();
}

Result<std::vector<Node>> BlockTreeBuilder::finish() {
  if (error_) return *error_;
  if (!open_.empty())
    return Error{to_string(open_.back()->where()) + ": block '" + open_.back()->name() +
                 "' is never closed"};
  hand_over();
  return std::move(top_);
}

Result<std::vector<Node>> build_block_tree(std::vector<Line>&& lines) {
  BlockTreeBuilder builder;
  for (Line& line : lines) builder.add(line);
  return builder.finish();
}

}  // namespace vsd::config

#include "cli/option_scanner.h"

namespace vsd::cli {

OptionScanner::OptionScanner(std::span<const OptionSpec> table, std::span<const std::string> words)
    : table_(table), words_(words) {}

const char* OptionScanner::error_text(Status status) {
  switch (status) {
    case Status::unknown_option:
      return "unknown option";
    case Status::missing_argument:
      return "missing argument";
    default:
      return "";
  }
}

const OptionSpec* OptionScanner::find_long(const std::string& name) const {
  for (const auto& spec : table_)
    if (spec.long_name && name == spec.long_name) return &spec;
  return nullptr;
}

const OptionSpec* OptionScanner::find_short(char c) const {
  if (c == '\0') return nullptr;
  for (const auto& spec : table_)
    if (spec.short_name == c) return &spec;
  return nullptr;
}

OptionScanner::Item OptionScanner::next() {
  while (true) {
    if (!cluster_) {
      if (next_ >= words_.size()) return Item{Status::end, nullptr, std::nullopt, word_};
      const std::string& word = words_[next_++];
      word_ = word;
      if (only_leftovers_ || word.empty() || word[0] != '-' || word == "-") {
        leftovers_.push_back(word);
        continue;
      }
      if (word == "--") {
        only_leftovers_ = true;
        continue;
      }
      if (word[1] == '-') {
        const size_t equals = word.find('=', 2);
        const std::string name = word.substr(2, equals == std::string::npos ? equals : equals - 2);
        const OptionSpec* option = find_long(name);
        if (!option) return Item{Status::unknown_option, nullptr, std::nullopt, word_};
        std::optional<std::string> inline_argument;
        if (equals != std::string::npos) inline_argument = word.substr(equals + 1);
        return with_argument(option, std::move(inline_argument));
      }
      cluster_ = word.substr(1);
    }
    const std::string cluster = std::move(*cluster_);
    cluster_.reset();
    const OptionSpec* option = find_short(cluster.empty() ? '\0' : cluster[0]);
    if (!option) return Item{Status::unknown_option, nullptr, std::nullopt, word_};
    if (cluster.size() > 1) cluster_ = cluster.substr(cluster[1] == '=' ? 2 : 1);
    return with_argument(option, std::nullopt);
  }
}

OptionScanner::Item OptionScanner::with_argument(const OptionSpec* option,
                                                 std::optional<std::string> inline_argument) {
  Item item{Status::option, option, std::nullopt, word_};
  // popt ignores "=value" given to an option that takes no argument.
  if (option->argument == OptionArgument::none) return item;
  if (inline_argument) {
    item.argument = std::move(inline_argument);
  } else if (cluster_) {
    item.argument = std::move(*cluster_);
    cluster_.reset();
  } else if (next_ >= words_.size()) {
    if (option->argument == OptionArgument::required)
      return Item{Status::missing_argument, option, std::nullopt, word_};
  } else if (option->argument == OptionArgument::optional && !words_[next_].empty() &&
             words_[next_][0] == '-') {
    // An optional argument never starts with '-': that word is the next option.
  } else {
    item.argument = words_[next_++];
  }
  return item;
}

}  // namespace vsd::cli

#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace vsd::cli {

// What an option takes after it.
enum class OptionArgument { none, required, optional };

struct OptionSpec {
  const char* long_name;  // without the leading "--"
  char short_name;        // '\0' when the option has only a long form
  OptionArgument argument;
  int tag;  // what the caller switches on
};

// Splits an argument vector the way popt does for ipvsadm (its poptGetNextOpt loop), so that
// every command line ipvsadm accepts means the same here:
//  - short options cluster ("-Ln", "-At10.0.0.1:80"); the rest of a cluster is the argument of
//    an option that takes one, an optional "=" after the option letter is skipped;
//  - long options are exact names ("--tcp-service X" or "--tcp-service=X"), no abbreviations;
//  - an optional argument is taken from the next word unless that word starts with '-';
//  - words that are not options are kept, in order, as leftovers (popt permutes them), and
//    everything after "--" is a leftover.
class OptionScanner {
 public:
  enum class Status { option, end, unknown_option, missing_argument };
  struct Item {
    Status status = Status::end;
    const OptionSpec* option = nullptr;
    std::optional<std::string> argument;
    // The command-line word being read, which popt names in its errors ("-Lx: unknown option").
    std::string word;
  };

  OptionScanner(std::span<const OptionSpec> table, std::span<const std::string> words);

  Item next();
  // Words that were not options, in order: what poptGetArg hands out.
  const std::vector<std::string>& leftovers() const { return leftovers_; }

  // popt's poptStrerror() text for a failed Item.
  static const char* error_text(Status status);

 private:
  const OptionSpec* find_long(const std::string& name) const;
  const OptionSpec* find_short(char c) const;
  Item with_argument(const OptionSpec* option, std::optional<std::string> inline_argument);

  std::span<const OptionSpec> table_;
  std::span<const std::string> words_;
  size_t next_ = 0;
  std::optional<std::string> cluster_;  // the unread rest of a short-option cluster
  std::string word_;
  bool only_leftovers_ = false;
  std::vector<std::string> leftovers_;
};

}  // namespace vsd::cli

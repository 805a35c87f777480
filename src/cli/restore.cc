#include "cli/restore.h"

namespace vsd::cli {

std::vector<std::string> restore_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty() && word != "ipvsadm" && !(words.empty() && word == "vsadm"))
      words.push_back(word);
    word.clear();
  };
  for (char c : line) {
    if (c == '#') break;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
      flush();
    else
      word += c;
  }
  flush();
  return words;
}

Outcome restore(std::istream& input, Session& session, const Environment& env) {
  Outcome total;
  std::string line;
  while (std::getline(input, line)) {
    const std::vector<std::string> words = restore_words(line);
    if (words.empty()) continue;
    Outcome one = run_line(words, session, env, /*reading_stdin=*/true);
    total.out += one.out;
    total.err += one.err;
    total.status = one.status;
    if (one.ends_program) {
      total.ends_program = true;
      break;
    }
  }
  return total;
}

}  // namespace vsd::cli

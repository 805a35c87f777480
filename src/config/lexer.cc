#include "config/lexer.h"

#include <glob.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace vsd::config {

std::string to_string(const SourceLocation& where) {
  return (where.file ? *where.file : std::string("<input>")) + ":" + std::to_string(where.line);
}

namespace {

std::string default_config_id() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) return {};
  std::string name(host);
  return name.substr(0, name.find('.'));
}

// The rest of an open file, read straight into the string: in one piece when its size is known,
// else (a pipe, a file still growing) by doubling.
std::string contents(std::ifstream& in, const std::string& path) {
  std::error_code no_size;
  const auto size = std::filesystem::file_size(path, no_size);
  std::string text(no_size ? size_t{64 * 1024} : static_cast<size_t>(size) + 1, '\0');
  size_t have = 0;
  while (in.read(text.data() + have, static_cast<std::streamsize>(text.size() - have)),
         in.gcount() > 0) {
    have += static_cast<size_t>(in.gcount());
    if (have == text.size()) text.resize(2 * text.size());
  }
  text.resize(have);
  return text;
}

// A sink for the read_* that return the lines: each line keeps a vector of its own, sized to it.
LineSink collect_into(std::vector<Line>& lines) {
  return [&lines](Line& line) {
    lines.push_back(Line{
        {std::make_move_iterator(line.words.begin()), std::make_move_iterator(line.words.end())}});
  };
}

std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

Error located(const SourceLocation& where, const std::string& message) {
  return Error{to_string(where) + ": " + message};
}

// One escape after a backslash inside quotes, as keepalived's shell-like rules have it.
size_t unescape(std::string_view s, size_t i, std::string& out) {
  const char c = s[i];
  auto digits = [&](size_t from, size_t max, int base) {
    size_t n = 0;
    int value = 0;
    while (n < max && from + n < s.size()) {
      const char d = s[from + n];
      int v = std::isdigit(static_cast<unsigned char>(d)) ? d - '0'
              : std::isxdigit(static_cast<unsigned char>(d))
                  ? std::tolower(static_cast<unsigned char>(d)) - 'a' + 10
                  : 99;
      if (v >= base) break;
      value = value * base + v;
      ++n;
    }
    return std::pair{value, n};
  };
  switch (c) {
    case 'a':
      out += '\a';
      return i + 1;
    case 'b':
      out += '\b';
      return i + 1;
    case 'E':
      out += '\x1b';
      return i + 1;
    case 'f':
      out += '\f';
      return i + 1;
    case 'n':
      out += '\n';
      return i + 1;
    case 'r':
      out += '\r';
      return i + 1;
    case 't':
      out += '\t';
      return i + 1;
    case 'v':
      out += '\v';
      return i + 1;
    case 'x': {
      auto [value, n] = digits(i + 1, 2, 16);
      if (n == 0) {
        out += 'x';
        return i + 1;
      }
      out += static_cast<char>(value);
      return i + 1 + n;
    }
    case 'c':
      if (i + 1 < s.size()) {
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 1])) & 0x1f);
        return i + 2;
      }
      out += 'c';
      return i + 1;
    default:
      if (c >= '0' && c <= '7') {
        auto [value, n] = digits(i, 3, 8);
        out += static_cast<char>(value);
        return i + n;
      }
      out += c;
      return i + 1;
  }
}

// std::isspace in the C locale, without a library call per character of a large file.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Characters that end a run of plain text in a word: outside quotes, a space, a brace, a
// comment or an opening quote; inside, the closing quote or an escape.
bool ends_plain_run(char c, char quote) {
  if (quote) return c == quote || c == '\\';
  return is_space(c) || c == '{' || c == '}' || c == '#' || c == '!' || c == '"' || c == '\'';
}

// Splits one physical line into words; returns an error message for an unterminated quote.
std::string split(std::string_view s, const SourceLocation& where, std::vector<Word>& words) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    if (i >= s.size() || s[i] == '#' || s[i] == '!') break;
    if (s[i] == '{' || s[i] == '}') {
      words.push_back({std::string(1, s[i]), false, where});
      ++i;
      continue;
    }
    Word w{{}, false, where};
    char quote = 0;
    while (i < s.size()) {
      // Plain characters are copied a run at a time; only the ones that end a run need a look.
      const size_t run = i;
      while (i < s.size() && !ends_plain_run(s[i], quote)) ++i;
      w.text.append(s.substr(run, i - run));
      if (i >= s.size()) break;
      const char c = s[i];
      if (quote) {
        if (c == quote) {
          quote = 0;
          ++i;
        } else if (i + 1 < s.size()) {  // a backslash with something after it
          i = unescape(s, i + 1, w.text);
        } else {
          w.text += c;
          ++i;
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
        w.quoted = true;
        ++i;
        continue;
      }
      break;  // a space, a brace or a comment ends the word
    }
    if (quote) return std::string("unterminated quoted string");
    words.push_back(std::move(w));
    if (i < s.size() && (s[i] == '#' || s[i] == '!')) break;
  }
  return {};
}

bool is_include_keyword(const Word& w) {
  static constexpr std::string_view kIncludes[] = {"include",  "includer", "includem",
                                                   "includew", "includeb", "includea"};
  return !w.quoted &&
         std::find(std::begin(kIncludes), std::end(kIncludes), w.text) != std::end(kIncludes);
}

}  // namespace

Lexer::Lexer(LexOptions options) : options_(std::move(options)) {
  if (options_.config_id.empty()) options_.config_id = default_config_id();
}

Result<std::vector<Line>> Lexer::read_file(const std::string& path) {
  std::vector<Line> lines;
  Status s = read_file(path, collect_into(lines));
  if (!s.ok()) return s.error();
  return lines;
}

Result<std::vector<Line>> Lexer::read_string(const std::string& text, const std::string& name) {
  std::vector<Line> lines;
  Status s = read_string(text, name, collect_into(lines));
  if (!s.ok()) return s.error();
  return lines;
}

Status Lexer::read_file(const std::string& path, const LineSink& sink) {
  std::ifstream in(path);
  if (!in) return Error{path + ": cannot open: " + std::string(std::strerror(errno))};
  open_files_.push_back(path);
  Status s = read_into(contents(in, path), std::make_shared<const std::string>(path),
                       directory_of(path), 0, sink);
  open_files_.pop_back();
  return s;
}

Status Lexer::read_string(const std::string& text, const std::string& name, const LineSink& sink) {
  return read_into(text, std::make_shared<const std::string>(name), ".", 0, sink);
}

std::string Lexer::substitute(const std::string& line) const {
  if (line.find('$') == std::string::npos) return line;
  std::string out;
  for (size_t i = 0; i < line.size();) {
    if (line[i] != '$') {
      out += line[i++];
      continue;
    }
    size_t start = i + 1;
    size_t end = start;
    bool braced = start < line.size() && line[start] == '{';
    if (braced) {
      end = line.find('}', start);
      if (end == std::string::npos) {
        out += line.substr(i);
        break;
      }
    } else {
      while (end < line.size() &&
             (std::isalnum(static_cast<unsigned char>(line[end])) || line[end] == '_'))
        ++end;
    }
    const std::string name =
        braced ? line.substr(start + 1, end - start - 1) : line.substr(start, end - start);
    auto it = parameters_.find(name);
    if (name.empty() || it == parameters_.end()) {
      out += line.substr(i, (braced ? end + 1 : end) - i);  // unknown: left as written
    } else {
      out += it->second;
    }
    i = braced ? end + 1 : end;
  }
  return out;
}

Status Lexer::read_into(const std::string& text, std::shared_ptr<const std::string> name,
                        const std::string& directory, unsigned depth, const LineSink& sink) {
  // Lines are views into `text`: a large configuration is read without copying each line.
  size_t next = 0;
  unsigned number = 0;
  auto next_line = [&](std::string_view& line) {
    if (next >= text.size()) return false;
    const size_t end = std::min(text.find('\n', next), text.size());
    line = std::string_view(text).substr(next, end - next);
    next = end + 1;
    ++number;
    return true;
  };
  std::string_view line;
  std::string scratch;  // holds a line rewritten by parameter substitution
  Line current;         // reused for every line: its vector is allocated once per file
  while (next_line(line)) {
    SourceLocation where{name, number};
    // Conditional lines: "@id rest" for this config-id only, "@^id rest" for all others.
    size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line[first] == '@') {
      const bool negate = first + 1 < line.size() && line[first + 1] == '^';
      const size_t id_start = first + (negate ? 2 : 1);
      const size_t id_end = line.find_first_of(" \t", id_start);
      const std::string_view id = line.substr(id_start, id_end - id_start);
      if ((id == options_.config_id) == negate) continue;
      line = id_end == std::string_view::npos ? std::string_view() : line.substr(id_end);
      first = line.find_first_not_of(" \t");
    }
    // Parameter definitions: "$NAME=value", continued by a trailing backslash.
    if (first != std::string_view::npos && line[first] == '$') {
      const size_t eq = line.find('=', first);
      const std::string pname(eq == std::string_view::npos
                                  ? std::string_view()
                                  : line.substr(first + 1, eq - first - 1));
      if (!pname.empty() && std::all_of(pname.begin(), pname.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
          })) {
        std::string value(line.substr(eq + 1));
        std::string_view continuation;
        while (!value.empty() && value.back() == '\\' && next_line(continuation)) {
          value.pop_back();
          value += "\n";
          value += continuation;
        }
        parameters_[pname] = value;
        continue;
      }
    }
    if (line.find('$') != std::string_view::npos) {
      scratch = substitute(std::string(line));
      line = scratch;
    }
    current.words.clear();
    if (std::string problem = split(line, where, current.words); !problem.empty())
      return located(where, problem);
    if (current.words.empty()) continue;
    if (is_include_keyword(current.words.front())) {
      if (Status s = include(current.words, directory, depth, sink); !s.ok()) return s;
      continue;
    }
    sink(current);
  }
  return ok_status();
}

Status Lexer::include(const std::vector<Word>& words, const std::string& directory, unsigned depth,
                      const LineSink& sink) {
  const SourceLocation& where = words.front().where;
  if (words.size() != 2) {
    warnings_.push_back(to_string(where) + ": include takes one file name or pattern");
    return ok_status();
  }
  if (depth >= options_.max_include_depth)
    return located(where, "includes nested too deeply (a loop?)");
  std::string pattern = words[1].text;
  if (!pattern.empty() && pattern.front() != '/') pattern = directory + "/" + pattern;
  glob_t matches{};
  const int rc = glob(pattern.c_str(), GLOB_BRACE | GLOB_TILDE, nullptr, &matches);
  std::vector<std::string> files;
  if (rc == 0)
    for (size_t i = 0; i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
  globfree(&matches);
  if (files.empty()) {
    // keepalived's plain include tolerates a pattern that matches nothing; say so anyway.
    warnings_.push_back(to_string(where) + ": include " + words[1].text + " matches no file");
    return ok_status();
  }
  for (const std::string& file : files) {
    if (std::find(open_files_.begin(), open_files_.end(), file) != open_files_.end())
      return located(where, "include loop: " + file + " includes itself");
    std::ifstream in(file);
    if (!in) {
      warnings_.push_back(to_string(where) + ": cannot open included file " + file);
      continue;
    }
    open_files_.push_back(file);
    Status s = read_into(contents(in, file), std::make_shared<const std::string>(file),
                         directory_of(file), depth + 1, sink);
    open_files_.pop_back();
    if (!s.ok()) return s;
  }
  return ok_status();
}

}  // namespace vsd::config

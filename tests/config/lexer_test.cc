// Lexical rules matched: keepalived.conf(5) (comments, quoted strings and escapes, include,
// conditional configuration, parameter substitution).
#include "config/lexer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vsd::config {
namespace {

std::vector<std::vector<std::string>> texts(const std::vector<Line>& lines) {
  std::vector<std::vector<std::string>> out;
  for (const auto& l : lines) {
    out.emplace_back();
    for (const auto& w : l.words) out.back().push_back(w.text);
  }
  return out;
}

using Texts = std::vector<std::vector<std::string>>;

TEST(Lexer, SplitsWordsBracesAndComments) {
  Lexer lexer;
  auto lines = lexer.read_string(
      "virtual_server 10.0.0.1 80 {   # a comment\n"
      "  lb_algo rr ! another\n"
      "\n"
      "  real_server 10.0.0.2 80{weight 2}\n"
      "}\n",
      "k.conf");
  ASSERT_TRUE(lines.ok()) << lines.error().message;
  EXPECT_EQ(texts(*lines), (Texts{{"virtual_server", "10.0.0.1", "80", "{"},
                                  {"lb_algo", "rr"},
                                  {"real_server", "10.0.0.2", "80", "{", "weight", "2", "}"},
                                  {"}"}}));
  EXPECT_EQ(to_string((*lines)[2].where()), "k.conf:4");
}

TEST(Lexer, QuotedStringsKeepSpacesAndEscapes) {
  Lexer lexer;
  auto lines = lexer.read_string(
      "a 'abcd\" efg h jkl \"mnop'\n"
      "b abcd \"efg h jkl\" mnop\n"
      "c \"x\\x41\\101\\n\\\"q\\\"\" \"{\" \"#not a comment\"\n",
      "q.conf");
  ASSERT_TRUE(lines.ok());
  const Texts t = texts(*lines);
  EXPECT_EQ(t[0], (std::vector<std::string>{"a", "abcd\" efg h jkl \"mnop"}));
  EXPECT_EQ(t[1], (std::vector<std::string>{"b", "abcd", "efg h jkl", "mnop"}));
  EXPECT_EQ(t[2], (std::vector<std::string>{"c", "xAA\n\"q\"", "{", "#not a comment"}));
  EXPECT_TRUE((*lines)[2].words[2].quoted);
  EXPECT_FALSE((*lines)[2].words[2].is("{"));
}

TEST(Lexer, UnterminatedQuoteIsAnErrorWithFileAndLine) {
  Lexer lexer;
  auto lines = lexer.read_string("ok line\nnotify \"/bin/true\n", "bad.conf");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.error().message, "bad.conf:2: unterminated quoted string");
}

TEST(Lexer, ConditionalLinesFollowTheConfigId) {
  Lexer lexer(LexOptions{"lb1"});
  auto lines = lexer.read_string(
      "@lb1 priority 150\n@lb2 priority 100\n@^lb1 state BACKUP\n"
      "@^lb2 state MASTER\n",
      "c.conf");
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(texts(*lines), (Texts{{"priority", "150"}, {"state", "MASTER"}}));
}

TEST(Lexer, ParametersAreDefinedAndSubstituted) {
  Lexer lexer;
  auto lines = lexer.read_string(
      "$VIP=192.168.2.11\n$PORT=80\n$BODY=lb_algo rr \\\n  lb_kind NAT\n"
      "virtual_server $VIP ${PORT} {\n$BODY\n}\nunknown $NOPE\n",
      "p.conf");
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(texts(*lines), (Texts{{"virtual_server", "192.168.2.11", "80", "{"},
                                  {"lb_algo", "rr", "lb_kind", "NAT"},
                                  {"}"},
                                  {"unknown", "$NOPE"}}));
}

class IncludeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("vsd-lexer-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_ / "conf.d");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::filesystem::path dir_;
};

TEST_F(IncludeTest, IncludesGlobRelativeToTheIncludingFile) {
  write("main.conf", "global_defs {\n}\ninclude conf.d/*.conf\nlast\n");
  write("conf.d/a.conf", "from_a 1\ninclude ../tail.inc\n");
  write("conf.d/b.conf", "from_b 2\n");
  write("tail.inc", "from_tail\n");
  Lexer lexer;
  auto lines = lexer.read_file((dir_ / "main.conf").string());
  ASSERT_TRUE(lines.ok()) << lines.error().message;
  EXPECT_EQ(
      texts(*lines),
      (Texts{
          {"global_defs", "{"}, {"}"}, {"from_a", "1"}, {"from_tail"}, {"from_b", "2"}, {"last"}}));
  EXPECT_EQ(to_string((*lines)[4].where()), (dir_ / "conf.d/b.conf").string() + ":1");
}

TEST_F(IncludeTest, AnIncludeLoopIsAnError) {
  write("a.conf", "include b.conf\n");
  write("b.conf", "x\ninclude a.conf\n");
  Lexer lexer;
  auto lines = lexer.read_file((dir_ / "a.conf").string());
  ASSERT_FALSE(lines.ok());
  EXPECT_NE(lines.error().message.find("b.conf:2: include loop"), std::string::npos)
      << lines.error().message;
}

TEST_F(IncludeTest, APatternMatchingNothingIsAWarning) {
  write("a.conf", "include missing/*.conf\nkept\n");
  Lexer lexer;
  auto lines = lexer.read_file((dir_ / "a.conf").string());
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(texts(*lines), (Texts{{"kept"}}));
  ASSERT_EQ(lexer.warnings().size(), 1u);
  EXPECT_NE(lexer.warnings()[0].find("a.conf:1: include missing/*.conf matches no file"),
            std::string::npos);
}

TEST(Lexer, MissingMainFileIsAnError) {
  Lexer lexer;
  auto lines = lexer.read_file("/nonexistent/vsd.conf");
  ASSERT_FALSE(lines.ok());
  EXPECT_NE(lines.error().message.find("/nonexistent/vsd.conf: cannot open"), std::string::npos);
}

}  // namespace
}  // namespace vsd::config

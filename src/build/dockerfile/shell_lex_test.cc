#include "build/dockerfile/shell_lex.h"

#include <gtest/gtest.h>

namespace berth::build::dockerfile {
namespace {

struct Case {
  const char* in;
  const char* want;  // nullptr: an error
};

const std::vector<std::string> kEnv = {"A=a", "EMPTY=", "SP=x y", "A=shadowed", "U_1=u"};

TEST(ShellLex, Word) {
  const Case cases[] = {
      {"plain", "plain"},
      {"$A", "a"},
      {"${A}", "a"},
      {"$A$A", "aa"},
      {"${A}b", "ab"},
      {"$Ab", ""},  // $Ab is another (unset) name
      {"$U_1", "u"},
      {"$", "$"},
      {"a$", "a$"},
      {"$/x", "$/x"},
      {"${NOPE:-d}", "d"},
      {"${EMPTY:-d}", "d"},
      {"${EMPTY-d}", ""},
      {"${NOPE-d}", "d"},
      {"${A:-d}", "a"},
      {"${A:+alt}", "alt"},
      {"${EMPTY:+alt}", ""},
      {"${EMPTY+alt}", "alt"},
      {"${NOPE+alt}", ""},
      {"${NOPE:-$A}", "a"},
      {"${NOPE:-${A}x}", "ax"},
      {"${NOPE:-'q'}", "q"},
      {"\\$A", "$A"},
      {"\\\\$A", "\\a"},
      {"'$A'", "$A"},
      {"'a\\b'", "a\\b"},
      {"\"$A\"", "a"},
      {"\"\\$A\"", "$A"},
      {"\"a\\b\"", "a\\b"},
      {"\"a\\\"b\"", "a\"b"},
      {"\"'$A'\"", "'a'"},
      {"a\\ b", "a b"},
      {"trailing\\", "trailing"},
      {"$1", ""},
      {"${A:?boom}", "a"},
      {"${NOPE:?boom}", nullptr},
      {"${A", nullptr},
      {"${}", nullptr},
      {"${:}", nullptr},
      {"${A%x}", nullptr},
      {"${A:=x}", nullptr},
      {"'open", nullptr},
      {"\"open", nullptr},
  };
  ShellLex lex;
  for (const Case& c : cases) {
    auto got = lex.ProcessWord(c.in, kEnv);
    if (c.want == nullptr) {
      EXPECT_FALSE(got.ok()) << c.in << " gave " << *got;
    } else {
      ASSERT_TRUE(got.ok()) << c.in << ": " << got.error().message();
      EXPECT_EQ(*got, c.want) << c.in;
    }
  }
}

TEST(ShellLex, BacktickEscape) {
  ShellLex lex('`');
  EXPECT_EQ(*lex.ProcessWord("`$A", kEnv), "$A");
  EXPECT_EQ(*lex.ProcessWord("C:\\dir", kEnv), "C:\\dir");
  EXPECT_EQ(*lex.ProcessWord("\"`\"x\"", kEnv), "\"x");
}

TEST(ShellLex, Words) {
  ShellLex lex;
  using V = std::vector<std::string>;
  EXPECT_EQ(*lex.ProcessWords("80 443", kEnv), (V{"80", "443"}));
  EXPECT_EQ(*lex.ProcessWords("$SP z", kEnv), (V{"x", "y", "z"}));
  EXPECT_EQ(*lex.ProcessWords("\"$SP\" z", kEnv), (V{"x y", "z"}));
  EXPECT_EQ(*lex.ProcessWords("  a\\ b  ", kEnv), (V{"a b"}));
  EXPECT_EQ(*lex.ProcessWords("", kEnv), V{});
}

}  // namespace
}  // namespace berth::build::dockerfile

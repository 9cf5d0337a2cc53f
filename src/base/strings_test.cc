#include "base/strings.h"

#include <gtest/gtest.h>

namespace berth::str {

TEST(Strings, SplitKeepsEmptyFields) {
  EXPECT_EQ(Split("a::b", ':'), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(Split("", ':'), (std::vector<std::string>{""}));
}

TEST(Strings, CutAtFirstSeparator) {
  bool found = false;
  auto [k, v] = Cut("A=b=c", '=', &found);
  EXPECT_TRUE(found);
  EXPECT_EQ(k, "A");
  EXPECT_EQ(v, "b=c");
  Cut("plain", '=', &found);
  EXPECT_FALSE(found);
}

TEST(Strings, ParseIntRejectsTrailingGarbage) {
  EXPECT_EQ(ParseInt("-15"), -15);
  EXPECT_FALSE(ParseInt("15x"));
  EXPECT_FALSE(ParseInt(""));
  EXPECT_EQ(ParseUint("ff", 16), 255u);
}

TEST(Strings, TrimAndCase) {
  EXPECT_EQ(Trim("  a b \n"), "a b");
  EXPECT_EQ(ToLower("SIGKILL"), "sigkill");
}

}  // namespace berth::str

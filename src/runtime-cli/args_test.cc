#include "runtime-cli/args.h"

#include <gtest/gtest.h>

namespace berth::cli {

const std::vector<FlagSpec> kFlags = {
    {"bundle", 'b', true}, {"detach", 'd', false}, {"env", 'e', true}, {"keep", 0, false, true}};

TEST(Args, LongShortAndEqualsForms) {
  size_t next = 0;
  auto a = Parse({"x", "--bundle", "/b", "-d", "--env=A=1", "-e", "B=2", "id"}, 1, kFlags, false,
                 &next);
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->Get("bundle"), "/b");
  EXPECT_TRUE(a->Has("detach"));
  EXPECT_EQ(a->GetAll("env"), (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(a->positionals, (std::vector<std::string>{"id"}));
}

TEST(Args, GoStyleSingleDashLongName) {
  auto a = Parse({"x", "-bundle=/b"}, 1, kFlags, false, nullptr);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->Get("bundle"), "/b");
}

TEST(Args, StopAtPositionalKeepsTheCommandIntact) {
  size_t next = 0;
  auto a = Parse({"x", "-d", "id", "sh", "-c", "--bundle"}, 1, kFlags, true, &next);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(next, 2u);
  EXPECT_EQ(a->positionals, (std::vector<std::string>{"id", "sh", "-c", "--bundle"}));
}

TEST(Args, ErrorsNameTheFlag) {
  auto unknown = Parse({"x", "--nope"}, 1, kFlags, false, nullptr);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("-nope"), std::string::npos);
  auto missing = Parse({"x", "--bundle"}, 1, kFlags, false, nullptr);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("--bundle"), std::string::npos);
  auto bad_bool = Parse({"x", "--detach=maybe"}, 1, kFlags, false, nullptr);
  EXPECT_FALSE(bad_bool.ok());
}

TEST(Args, BooleanFalseAndIgnoredFlags) {
  auto a = Parse({"x", "--detach=false", "--keep"}, 1, kFlags, false, nullptr);
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->Has("detach"));
  EXPECT_TRUE(a->Has("keep"));
}

}  // namespace berth::cli

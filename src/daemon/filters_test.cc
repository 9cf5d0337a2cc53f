#include "daemon/filters.h"

#include <gtest/gtest.h>

namespace berth::daemon {
namespace {

TEST(FiltersTest, ParsesBothForms) {
  auto f = Filters::Parse(R"({"dangling":{"true":true},"label":["a=b","c"]})");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Get("dangling"), std::vector<std::string>{"true"});
  EXPECT_EQ(f->Get("label"), (std::vector<std::string>{"a=b", "c"}));
  EXPECT_TRUE(*f->GetBool("dangling", false));
  EXPECT_TRUE(Filters::Parse("")->empty());
  EXPECT_FALSE(Filters::Parse("{").ok());
  EXPECT_FALSE(Filters::Parse(R"({"a":1})").ok());
  EXPECT_EQ(f->ToJson(), R"({"dangling":{"true":true},"label":{"a=b":true,"c":true}})");
}

TEST(FiltersTest, ValidateAndBool) {
  auto f = Filters::Parse(R"({"dangling":["maybe"],"bogus":["x"]})");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->Validate({"dangling"}).error().message(), "invalid filter 'bogus'");
  EXPECT_EQ(f->GetBool("dangling", false).error().message(), "invalid filter 'dangling=maybe'");
  EXPECT_FALSE(*f->GetBool("absent", false));
}

TEST(FiltersTest, MatchHelpers) {
  Filters f;
  f.Add("type", "image");
  f.Add("label", "a");
  f.Add("label", "b=2");
  EXPECT_TRUE(f.ExactMatch("type", "image"));
  EXPECT_FALSE(f.ExactMatch("type", "container"));
  EXPECT_TRUE(f.ExactMatch("absent", "x"));
  EXPECT_TRUE(f.MatchLabels("label", {{"a", ""}, {"b", "2"}}));
  EXPECT_FALSE(f.MatchLabels("label", {{"a", ""}, {"b", "3"}}));
  EXPECT_FALSE(f.MatchLabels("label", {{"b", "2"}}));
}

TEST(FiltersTest, Glob) {
  EXPECT_TRUE(GlobMatch("busy*", "busybox"));
  EXPECT_TRUE(GlobMatch("*", "busybox"));
  EXPECT_FALSE(GlobMatch("*", "alice/app"));
  EXPECT_TRUE(GlobMatch("*/*", "alice/app"));
  EXPECT_TRUE(GlobMatch("b?sybox", "busybox"));
  EXPECT_TRUE(GlobMatch("[a-c]usybox", "busybox"));
  EXPECT_FALSE(GlobMatch("[^b]usybox", "busybox"));
  EXPECT_TRUE(GlobMatch("busybox:*", "busybox:latest"));
  EXPECT_FALSE(GlobMatch("busybox", "busybox:latest"));
  EXPECT_TRUE(GlobMatch("a\\*", "a*"));
}

TEST(FiltersTest, Timestamps) {
  int64_t now = 1700000000LL * 1000000000;
  EXPECT_EQ(*ParseTimestamp("1700000000", now), 1700000000LL * 1000000000);
  EXPECT_EQ(*ParseTimestamp("1700000000.5", now), 1700000000LL * 1000000000 + 500000000);
  EXPECT_EQ(*ParseTimestamp("10m", now), now - 600LL * 1000000000);
  EXPECT_EQ(*ParseTimestamp("1h30m", now), now - 5400LL * 1000000000);
  EXPECT_EQ(*ParseTimestamp("2023-11-14T22:13:20Z", now), 1700000000LL * 1000000000);
  EXPECT_EQ(*ParseTimestamp("2023-11-14T23:13:20+01:00", now), 1700000000LL * 1000000000);
  EXPECT_EQ(*ParseTimestamp("2023-11-14", now), 1699920000LL * 1000000000);
  EXPECT_FALSE(ParseTimestamp("yesterday", now).ok());
  EXPECT_FALSE(ParseTimestamp("", now).ok());
}

}  // namespace
}  // namespace berth::daemon

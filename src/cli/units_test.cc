#include "cli/units.h"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace berth::cli {
namespace {

TEST(Units, HumanDuration) {
  EXPECT_EQ(HumanDuration(0), "Less than a second");
  EXPECT_EQ(HumanDuration(1), "1 second");
  EXPECT_EQ(HumanDuration(59), "59 seconds");
  EXPECT_EQ(HumanDuration(60), "About a minute");
  EXPECT_EQ(HumanDuration(119), "About a minute");
  EXPECT_EQ(HumanDuration(120), "2 minutes");
  EXPECT_EQ(HumanDuration(59 * 60), "59 minutes");
  EXPECT_EQ(HumanDuration(3600), "About an hour");
  EXPECT_EQ(HumanDuration(5399), "About an hour");
  EXPECT_EQ(HumanDuration(5400), "2 hours");
  EXPECT_EQ(HumanDuration(47 * 3600), "47 hours");
  EXPECT_EQ(HumanDuration(48 * 3600), "2 days");
  EXPECT_EQ(HumanDuration(14 * 86400), "2 weeks");
  EXPECT_EQ(HumanDuration(60 * 86400), "2 months");
  EXPECT_EQ(HumanDuration(3 * 365 * 86400), "3 years");
  EXPECT_EQ(Since(1000, 1000 + 3 * 86400), "3 days ago");
}

TEST(Units, Times) {
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(Rfc3339(1700000000), "2023-11-14T22:13:20Z");
  EXPECT_EQ(Rfc3339NanoFixed(1700000000123000000), "2023-11-14T22:13:20.123000000Z");
  EXPECT_EQ(GoTimeString(1700000000), "2023-11-14 22:13:20 +0000 UTC");
  int64_t s, ns;
  ASSERT_TRUE(ParseRfc3339("2023-11-14T22:13:20Z", &s, &ns));
  EXPECT_EQ(s, 1700000000);
  ASSERT_TRUE(ParseRfc3339("2023-11-15T00:13:20.5+02:00", &s, &ns));
  EXPECT_EQ(s, 1700000000);
  EXPECT_EQ(ns, 500000000);
  EXPECT_FALSE(ParseRfc3339("yesterday", &s, &ns));
}

TEST(Units, Ids) {
  EXPECT_EQ(TruncateID("sha256:0123456789abcdef0123"), "0123456789ab");
  EXPECT_EQ(TruncateID("abc"), "abc");
  EXPECT_EQ(Ellipsis("hello", 10), "hello");
  EXPECT_EQ(Ellipsis("hello world", 5), "hell…");
  EXPECT_EQ(RuneCount("h€llo"), 5u);
}

}  // namespace
}  // namespace berth::cli

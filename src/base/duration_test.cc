#include "base/duration.h"

#include <gtest/gtest.h>

#include <string>

namespace berth::duration {
namespace {

struct Case {
  std::string in;
  bool ok;
  int64_t ns;       // when ok
  std::string err;  // when not ok: the exact message
};

TEST(Duration, GoParseDurationTable) {
  const Case kCases[] = {
      {"0", true, 0, ""},
      {"-0", true, 0, ""},
      {"1s", true, 1000000000, ""},
      {"-1s", true, -1000000000, ""},
      {"+5m", true, 300000000000, ""},
      {"300ms", true, 300000000, ""},
      {"1us", true, 1000, ""},
      {"1\xc2\xb5s", true, 1000, ""},  // µ MICRO SIGN
      {"1\xce\xbcs", true, 1000, ""},  // μ GREEK SMALL LETTER MU
      {"1ns", true, 1, ""},
      {"1h2m3.5s", true, 3723500000000, ""},
      {".5s", true, 500000000, ""},
      {"1.s", true, 1000000000, ""},
      {"1.000000000000000000001s", true, 1000000000, ""},
      {"2562047h47m16.854775807s", true, INT64_MAX, ""},
      {"-2562047h47m16.854775808s", true, INT64_MIN, ""},
      {"", false, 0, "time: invalid duration \"\""},
      {"-", false, 0, "time: invalid duration \"-\""},
      {".", false, 0, "time: invalid duration \".\""},
      {".s", false, 0, "time: invalid duration \".s\""},
      {"-.s", false, 0, "time: invalid duration \"-.s\""},
      {"1..s", false, 0, "time: missing unit in duration \"1..s\""},
      {"1.2.3s", false, 0, "time: missing unit in duration \"1.2.3s\""},
      {"12345678901234567890", false, 0, "time: invalid duration \"12345678901234567890\""},
      {"12345678901234567890s", false, 0, "time: invalid duration \"12345678901234567890s\""},
      {"9223372036854775808ns", false, 0, "time: invalid duration \"9223372036854775808ns\""},
      {"2562048h", false, 0, "time: invalid duration \"2562048h\""},
      {"2562047h47m16.854775808s", false, 0, "time: invalid duration \"2562047h47m16.854775808s\""},
      {"5000000h5000000h", false, 0, "time: invalid duration \"5000000h5000000h\""},
      {"10", false, 0, "time: missing unit in duration \"10\""},
      {"3d", false, 0, "time: unknown unit \"d\" in duration \"3d\""},
      {"1s ", false, 0, "time: unknown unit \"s \" in duration \"1s \""},
      {"s", false, 0, "time: invalid duration \"s\""},
      {"1e3s", false, 0, "time: unknown unit \"e\" in duration \"1e3s\""},
  };
  for (const Case& c : kCases) {
    auto got = Parse(c.in);
    if (c.ok) {
      ASSERT_TRUE(got.ok()) << c.in << ": " << got.error().message();
      EXPECT_EQ(*got, c.ns) << c.in;
    } else {
      ASSERT_FALSE(got.ok()) << c.in << " parsed as " << *got;
      EXPECT_EQ(got.error().code(), Code::kInvalidArgument) << c.in;
      EXPECT_EQ(got.error().message(), c.err) << c.in;
    }
  }
}

}  // namespace
}  // namespace berth::duration

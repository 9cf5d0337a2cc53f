#include "base/base64.h"

#include <gtest/gtest.h>

namespace berth::base64 {
namespace {

TEST(Base64, RoundTrip) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\xff\xfe\xfd"}) {
    EXPECT_EQ(*Decode(Encode(s)), s);
    EXPECT_EQ(*Decode(Encode(s, true)), s);
  }
  EXPECT_EQ(Encode("alice:pw"), "YWxpY2U6cHc=");
  EXPECT_EQ(Encode("\xff\xfe", true), "__4=");
  EXPECT_FALSE(Decode("!!!").has_value());
}

}  // namespace
}  // namespace berth::base64

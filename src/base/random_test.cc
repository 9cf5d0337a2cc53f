#include "base/random.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace berth::rnd {
namespace {

TEST(Random, HexHasTwoDigitsPerByteAndDiffers) {
  std::string a = Hex(32), b = Hex(32);
  EXPECT_TRUE(std::regex_match(a, std::regex("[0-9a-f]{64}"))) << a;
  EXPECT_NE(a, b);
  EXPECT_EQ(Hex(0), "");
}

TEST(Random, UuidIsVersion4) {
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    std::string u = Uuid();
    EXPECT_TRUE(std::regex_match(
        u, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << u;
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 64u);
}

TEST(Random, FillWritesEveryByteEventually) {
  // 4 KiB of zeros stays all-zero after Fill with probability 2^-32768.
  std::string buf(4096, '\0');
  Fill(buf.data(), buf.size());
  EXPECT_NE(buf, std::string(4096, '\0'));
}

}  // namespace
}  // namespace berth::rnd

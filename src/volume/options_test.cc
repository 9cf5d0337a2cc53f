#include <gtest/gtest.h>
#include <sys/mount.h>

#include "volume/volume.h"

namespace berth::volume {
namespace {

TEST(Options, LocalDriverKeys) {
  EXPECT_TRUE(ParseOptions({}).ok());
  auto o = ParseOptions({{"type", "none"}, {"device", "/tmp"}, {"o", "bind"}});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->type, "none");
  EXPECT_EQ(ParseOptions({{"foo", "bar"}}).error().message(), "invalid option: \"foo\"");
  EXPECT_EQ(ParseOptions({{"device", "/tmp"}}).error().message(),
            "missing required option: \"type\"");
  EXPECT_EQ(ParseOptions({{"type", "tmpfs"}}).error().message(),
            "missing required option: \"device\"");
  EXPECT_EQ(ParseOptions({{"o", "size=1m"}}).error().message(),
            "missing required option: \"device\"");
  EXPECT_EQ(ParseOptions({{"size", "1g"}}).error().message(),
            "quota size requested but no quota support");
}

TEST(Options, Names) {
  EXPECT_TRUE(ValidateName("my-vol_1.x").ok());
  EXPECT_FALSE(ValidateName("-x").ok());
  EXPECT_FALSE(ValidateName("a b").ok());
  std::string r = RandomName();
  EXPECT_EQ(r.size(), 64u);
  EXPECT_NE(r, RandomName());
  EXPECT_TRUE(ValidateName(r).ok());
}

}  // namespace
}  // namespace berth::volume

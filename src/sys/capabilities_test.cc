#include "sys/capabilities.h"

#include <gtest/gtest.h>

namespace berth::sys {

TEST(Capabilities, NamesAndNumbers) {
  EXPECT_EQ(*CapFromName("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(*CapFromName("sys_admin"), 21);
  EXPECT_EQ(*CapFromName("CAP_CHOWN"), 0);
  EXPECT_EQ(CapName(13), "CAP_NET_RAW");
  EXPECT_FALSE(CapFromName("CAP_FLY").ok());
}

TEST(Capabilities, MaskSkipsUnknownNames) {
  std::vector<std::string> unknown;
  auto m = CapMask({"CAP_KILL", "CAP_AUDIT_WRITE", "CAP_FROM_THE_FUTURE"}, &unknown);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, (uint64_t{1} << 5) | (uint64_t{1} << 29));
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0], "CAP_FROM_THE_FUTURE");
}

TEST(Capabilities, AllNamesCoverKernel) {
  auto all = AllCapNames();
  ASSERT_EQ(static_cast<int>(all.size()), LastCap() + 1);
  EXPECT_EQ(all.front(), "CAP_CHOWN");
}

}  // namespace berth::sys

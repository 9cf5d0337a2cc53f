#include "runtime/rootfs/mountinfo.h"

#include <gtest/gtest.h>

namespace berth::rootfs {
namespace {

constexpr const char* kSample =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
    "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "30 22 0:30 / /run rw,nosuid,nodev - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:31 / /run/my\\040dir rw master:3 - tmpfs tmpfs rw\n"
    "32 30 0:32 / /run rw - tmpfs tmpfs rw\n";

TEST(MountInfo, Parses) {
  auto mounts = ParseMountInfo(kSample);
  ASSERT_TRUE(mounts.ok()) << mounts.error().message();
  ASSERT_EQ(mounts->size(), 5u);
  EXPECT_EQ((*mounts)[0].id, 22);
  EXPECT_EQ((*mounts)[1].parent, 22);
  EXPECT_EQ((*mounts)[1].fs_type, "proc");
  EXPECT_TRUE((*mounts)[0].shared());
  EXPECT_FALSE((*mounts)[2].shared());
  EXPECT_EQ((*mounts)[3].mount_point, "/run/my dir");
  EXPECT_EQ((*mounts)[3].optional, std::vector<std::string>{"master:3"});
}

TEST(MountInfo, MountOf) {
  auto mounts = *ParseMountInfo(kSample);
  EXPECT_EQ(MountOf(mounts, "/")->id, 22);
  EXPECT_EQ(MountOf(mounts, "/procfoo")->id, 22);
  EXPECT_EQ(MountOf(mounts, "/proc/sys")->id, 23);
  EXPECT_EQ(MountOf(mounts, "/run/x")->id, 32);  // the top of two stacked mounts
  EXPECT_EQ(MountOf(mounts, "/run/my dir/a")->id, 31);
}

TEST(MountInfo, Malformed) {
  EXPECT_FALSE(ParseMountInfo("22 1 8:1 / /\n").ok());
  EXPECT_FALSE(ParseMountInfo("x 1 8:1 / / rw - ext4 /dev/sda1 rw\n").ok());
}

TEST(MountInfo, ReadsOwn) {
  auto mounts = ReadMountInfo();
  ASSERT_TRUE(mounts.ok()) << mounts.error().message();
  EXPECT_NE(MountOf(*mounts, "/"), nullptr);
}

}  // namespace
}  // namespace berth::rootfs

#include "volume/copy_up.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/fs.h"

namespace berth::volume {
namespace {

class CopyUpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/copyup-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    src_ = dir_ + "/src";
    dst_ = dir_ + "/dst";
    ASSERT_TRUE(fs::MkdirAll(src_ + "/sub", 0750).ok());
    ASSERT_TRUE(fs::MkdirAll(dst_).ok());
  }
  void TearDown() override { (void)fs::RemoveAll(dir_); }
  std::string dir_, src_, dst_;
};

TEST_F(CopyUpTest, CopiesModesOwnersLinksAndXattrs) {
  ASSERT_TRUE(fs::AtomicWrite(src_ + "/sub/file", "hello", 0640).ok());
  ASSERT_EQ(chmod((src_ + "/sub").c_str(), 0750), 0);
  ASSERT_EQ(chmod(src_.c_str(), 0711), 0);
  ASSERT_EQ(symlink("sub/file", (src_ + "/link").c_str()), 0);
  ASSERT_EQ(symlink("/etc/passwd", (src_ + "/abs").c_str()), 0);
  ASSERT_EQ(link((src_ + "/sub/file").c_str(), (src_ + "/hard").c_str()), 0);
  ASSERT_EQ(mkfifo((src_ + "/fifo").c_str(), 0600), 0);
  bool root = geteuid() == 0;
  if (root) {
    ASSERT_EQ(lchown((src_ + "/sub/file").c_str(), 1234, 5678), 0);
  }
  bool xattr = setxattr((src_ + "/sub/file").c_str(), "user.berth", "v", 1, 0) == 0;

  ASSERT_TRUE(CopyUp(src_, dst_).ok());
  auto text = fs::ReadFile(dst_ + "/sub/file");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "hello");
  struct stat st {};
  ASSERT_EQ(stat((dst_ + "/sub/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  if (root) {
    EXPECT_EQ(st.st_uid, 1234u);
    EXPECT_EQ(st.st_gid, 5678u);
  }
  struct stat hard {};
  ASSERT_EQ(stat((dst_ + "/hard").c_str(), &hard), 0);
  EXPECT_EQ(hard.st_ino, st.st_ino);  // still one file
  ASSERT_EQ(stat((dst_ + "/sub").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  ASSERT_EQ(stat(dst_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0711u);  // the top directory too
  char buf[64];
  ssize_t n = readlink((dst_ + "/abs").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, n), "/etc/passwd");  // copied as a link, not followed
  ASSERT_EQ(lstat((dst_ + "/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  if (xattr) {
    char v[8];
    EXPECT_EQ(getxattr((dst_ + "/sub/file").c_str(), "user.berth", v, sizeof v), 1);
  }
}

TEST_F(CopyUpTest, LeavesANonEmptyVolumeAlone) {
  ASSERT_TRUE(fs::AtomicWrite(src_ + "/a", "image").ok());
  ASSERT_TRUE(fs::AtomicWrite(dst_ + "/b", "mine").ok());
  ASSERT_TRUE(CopyUp(src_, dst_).ok());
  EXPECT_FALSE(fs::Exists(dst_ + "/a"));
}

TEST_F(CopyUpTest, MissingSourceIsNothingToCopy) {
  EXPECT_TRUE(CopyUp(dir_ + "/nope", dst_).ok());
}

}  // namespace
}  // namespace berth::volume

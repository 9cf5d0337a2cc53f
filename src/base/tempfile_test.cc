#include "base/tempfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "base/fs.h"
#include "base/strings.h"

namespace berth::fs {
namespace {

class TempFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = MakeTempDir("/tmp/berth-tempfile-test-");
    ASSERT_TRUE(d.ok());
    dir_ = *d;
  }
  void TearDown() override { ASSERT_TRUE(RemoveAll(dir_).ok()); }
  std::string dir_;
};

TEST_F(TempFileTest, DirsAreNewPrivateAndDistinct) {
  auto a = MakeTempDir(dir_ + "/x-");
  auto b = MakeTempDir(dir_ + "/x-");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(str::StartsWith(*a, dir_ + "/x-"));
  EXPECT_EQ(a->size(), (dir_ + "/x-").size() + 6);
  struct stat st;
  ASSERT_EQ(::stat(a->c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0700u);
}

TEST_F(TempFileTest, FilesAreOpenEmptyAndCloseOnExec) {
  auto f = MakeTempFile(dir_ + "/f-");
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(str::StartsWith(f->path, dir_ + "/f-"));
  ASSERT_TRUE(WriteAll(f->fd.get(), "abc").ok());
  EXPECT_EQ(*ReadFile(f->path), "abc");
  EXPECT_NE(::fcntl(f->fd.get(), F_GETFD) & FD_CLOEXEC, 0);
  struct stat st;
  ASSERT_EQ(::fstat(f->fd.get(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(TempFileTest, MissingParentNamesThePath) {
  auto d = MakeTempDir(dir_ + "/missing/x-");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find(dir_ + "/missing/x-"), std::string::npos) << d.error().message();
  auto f = MakeTempFile(dir_ + "/missing/f-");
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.error().message().find("/missing/f-"), std::string::npos);
}

}  // namespace
}  // namespace berth::fs

#include "runtime/rootfs/safe_path.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"

namespace berth::rootfs {
namespace {

// A temp dir with root/ and outside/ side by side.
class SafePathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-safepath-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_path_ = dir_ + "/root";
    ASSERT_TRUE(fs::MkdirAll(root_path_ + "/etc").ok());
    ASSERT_TRUE(fs::MkdirAll(dir_ + "/outside").ok());
  }
  void TearDown() override { ASSERT_TRUE(fs::RemoveAll(dir_).ok()); }

  void Symlink(const std::string& target, const std::string& inner) {
    ASSERT_EQ(::symlink(target.c_str(), (root_path_ + inner).c_str()), 0);
  }
  bool IsDir(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  bool IsFile(const std::string& p) {
    struct stat st;
    return ::lstat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }
  // The path an fd names, as the kernel sees it.
  std::string Where(int fd) {
    char buf[4096];
    ssize_t n = ::readlink(FdPath(fd).c_str(), buf, sizeof buf);
    return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
  }

  std::string dir_, root_path_;
};

TEST_F(SafePathTest, Components) {
  EXPECT_EQ(Components("/a//b/./c/"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(Components("/").empty());
  EXPECT_EQ(Components("a/../b"), (std::vector<std::string>{"a", "..", "b"}));
}

TEST_F(SafePathTest, MkdirAllCreatesInside) {
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto fd = root->MkdirAll("/a/b/c");
  ASSERT_TRUE(fd.ok()) << fd.error().message();
  EXPECT_TRUE(IsDir(root_path_ + "/a/b/c"));
  EXPECT_EQ(Where(fd->get()), root_path_ + "/a/b/c");
  EXPECT_EQ(root->Display("/a/b"), root_path_ + "/a/b");
  EXPECT_EQ(root->Display("/"), root_path_);
}

TEST_F(SafePathTest, DotDotStaysInside) {
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto fd = root->MkdirAll("/../../outside/x");
  ASSERT_TRUE(fd.ok()) << fd.error().message();
  EXPECT_TRUE(IsDir(root_path_ + "/outside/x"));
  EXPECT_FALSE(IsDir(dir_ + "/outside/x"));
}

TEST_F(SafePathTest, AbsoluteSymlinkStaysInside) {
  Symlink("/etc/../../../outside", "/escape");
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto fd = root->MkdirAll("/escape/sub");
  ASSERT_TRUE(fd.ok()) << fd.error().message();
  EXPECT_TRUE(IsDir(root_path_ + "/outside/sub"));
  EXPECT_FALSE(IsDir(dir_ + "/outside/sub"));
  EXPECT_EQ(Where(fd->get()), root_path_ + "/outside/sub");
}

TEST_F(SafePathTest, RelativeDanglingSymlinkChain) {
  ASSERT_TRUE(fs::MkdirAll(root_path_ + "/d").ok());
  Symlink("../../../../x/y", "/d/link");  // dangling, climbs above the root
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto fd = root->MkdirAll("/d/link/z");
  ASSERT_TRUE(fd.ok()) << fd.error().message();
  EXPECT_TRUE(IsDir(root_path_ + "/x/y/z"));
  EXPECT_TRUE(fs::ListDir(dir_ + "/outside")->empty());
}

TEST_F(SafePathTest, SymlinkLoopFails) {
  Symlink("/loop2", "/loop1");
  Symlink("/loop1", "/loop2");
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto fd = root->MkdirAll("/loop1/x");
  ASSERT_FALSE(fd.ok());
  EXPECT_NE(fd.error().message().find(root_path_), std::string::npos) << fd.error().message();
}

TEST_F(SafePathTest, CreateFileThroughSymlink) {
  Symlink("/../../outside/f", "/etc/f");
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto fd = root->CreateFile("/etc/f");
  ASSERT_TRUE(fd.ok()) << fd.error().message();
  EXPECT_TRUE(IsFile(root_path_ + "/outside/f"));
  EXPECT_FALSE(IsFile(dir_ + "/outside/f"));
  // Existing files are returned as they are.
  auto again = root->CreateFile("/outside/f");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Where(again->get()), root_path_ + "/outside/f");
}

TEST_F(SafePathTest, CreateFileMakesParents) {
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto fd = root->CreateFile("/new/dir/file", 0600);
  ASSERT_TRUE(fd.ok()) << fd.error().message();
  EXPECT_TRUE(IsFile(root_path_ + "/new/dir/file"));
}

TEST_F(SafePathTest, FileInTheWayIsAnError) {
  ASSERT_TRUE(fs::AtomicWrite(root_path_ + "/etc/file", "x", 0644, false).ok());
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto fd = root->MkdirAll("/etc/file/sub");
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().err(), ENOTDIR) << fd.error().message();
}

TEST_F(SafePathTest, OpenRootThatIsNotADirectory) {
  ASSERT_TRUE(fs::AtomicWrite(dir_ + "/plain", "x", 0644, false).ok());
  auto root = RootDir::Open(dir_ + "/plain");
  ASSERT_FALSE(root.ok());
  EXPECT_NE(root.error().message().find(dir_ + "/plain"), std::string::npos);
}

TEST_F(SafePathTest, Parent) {
  auto root = RootDir::Open(root_path_);
  ASSERT_TRUE(root.ok());
  auto parent = root->Parent("/dev/pts/ptmx");
  ASSERT_TRUE(parent.ok()) << parent.error().message();
  EXPECT_EQ(parent->second, "ptmx");
  EXPECT_EQ(Where(parent->first.get()), root_path_ + "/dev/pts");
  EXPECT_FALSE(root->Parent("/").ok());
}

}  // namespace
}  // namespace berth::rootfs

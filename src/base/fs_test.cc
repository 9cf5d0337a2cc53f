#include "base/fs.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

namespace berth::fs {

TEST(Fs, CleanResolvesDotsLexically) {
  EXPECT_EQ(Clean("/a/./b/../c//d/"), "/a/c/d");
  EXPECT_EQ(Clean("/../../etc"), "/etc");
  EXPECT_EQ(Clean("a/../../b"), "../b");
  EXPECT_EQ(Clean(""), ".");
  EXPECT_EQ(Clean("/"), "/");
  EXPECT_EQ(Clean("a//b/../c/"), "a/c");
  EXPECT_EQ(Clean("../x"), "../x");
  EXPECT_EQ(Clean("/../x"), "/x");
  EXPECT_EQ(Clean("./"), ".");
}

TEST(Fs, DirnameBasename) {
  EXPECT_EQ(Dirname("/a/b/c"), "/a/b");
  EXPECT_EQ(Dirname("/a"), "/");
  EXPECT_EQ(Dirname("a"), ".");
  EXPECT_EQ(Basename("/a/b/"), "b");
  EXPECT_EQ(Join("/a/", "/b"), "/a/b");
}

class FsTmp : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-fs-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { ASSERT_TRUE(RemoveAll(dir_).ok()); }
  std::string dir_;
};

TEST_F(FsTmp, DirSizeCountsFilesAndLinksOnce) {
  ASSERT_TRUE(MkdirAll(dir_ + "/a/b").ok());
  ASSERT_TRUE(AtomicWrite(dir_ + "/a/f", std::string(100, 'x')).ok());
  ASSERT_TRUE(AtomicWrite(dir_ + "/a/b/g", std::string(20, 'y')).ok());
  ASSERT_EQ(::link((dir_ + "/a/f").c_str(), (dir_ + "/a/b/h").c_str()), 0);
  ASSERT_EQ(::symlink("abc", (dir_ + "/a/l").c_str()), 0);
  EXPECT_EQ(DirSize(dir_ + "/a"), 100 + 20 + 3);
  EXPECT_EQ(DirSize(dir_ + "/missing"), 0);
}

TEST_F(FsTmp, AtomicWriteThenRead) {
  std::string p = dir_ + "/f";
  ASSERT_TRUE(AtomicWrite(p, "hello").ok());
  auto r = ReadFile(p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "hello");
  ASSERT_TRUE(AtomicWrite(p, "again").ok());
  EXPECT_EQ(*ReadFile(p), "again");
}

TEST_F(FsTmp, MkdirAllAndRemoveAll) {
  ASSERT_TRUE(MkdirAll(dir_ + "/x/y/z").ok());
  EXPECT_TRUE(IsDir(dir_ + "/x/y/z"));
  ASSERT_TRUE(AtomicWrite(dir_ + "/x/y/file", "1").ok());
  ASSERT_TRUE(RemoveAll(dir_ + "/x").ok());
  EXPECT_FALSE(Exists(dir_ + "/x"));
  EXPECT_TRUE(RemoveAll(dir_ + "/missing").ok());
}

TEST_F(FsTmp, ReadMissingFileNamesPath) {
  auto r = ReadFile(dir_ + "/nope");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Code::kNotFound);
  EXPECT_NE(r.error().message().find(dir_ + "/nope"), std::string::npos);
}

TEST_F(FsTmp, ListDirIsSortedAndReportsErrors) {
  for (const char* n : {"b", "a", "C", "a.b"}) ASSERT_TRUE(AtomicWrite(dir_ + "/" + n, "").ok());
  ASSERT_TRUE(MkdirAll(dir_ + "/d").ok());
  auto names = ListDir(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"C", "a", "a.b", "b", "d"}));
  EXPECT_FALSE(ListDir(dir_ + "/missing").ok());
  EXPECT_FALSE(ListDir(dir_ + "/a").ok());  // not a directory
}

}  // namespace berth::fs

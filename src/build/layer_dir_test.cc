#include "build/layer_dir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"

namespace berth::build {
namespace {

class LayerDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-layer-dir-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    ASSERT_TRUE(fs::MkdirAll(tmp_ + "/src").ok());
    ASSERT_TRUE(fs::MkdirAll(tmp_ + "/layer", 0755).ok());
  }
  void TearDown() override { ASSERT_TRUE(fs::RemoveAll(tmp_).ok()); }

  std::string Source(const std::string& name, const std::string& data) {
    std::string p = tmp_ + "/src/" + name;
    EXPECT_TRUE(fs::AtomicWrite(p, data, 0644, false).ok());
    return p;
  }
  std::string TarOf(const TarEntries& entries) {
    std::string p = tmp_ + "/ref.tar";
    EXPECT_TRUE(WriteLayerTar(entries, p).ok());
    return fs::ReadFile(p).value();
  }
  std::string Packed(const std::string& dir) {
    std::string out;
    Status s = PackLayerDir(dir, [&](std::string_view d) {
      out.append(d);
      return Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().message();
    return out;
  }
  // What a COPY of the usual shapes lays out: existing and new parents,
  // files with odd modes and owners, a set-uid file, a symlink, heredoc data.
  TarEntries Sample() {
    TarEntries e;
    e["opt"] = {.kind = TarEntry::kDir, .perm = 0755, .uid = 0, .gid = 0, .mtime = 1600000000};
    e["opt/app"] = {.kind = TarEntry::kDir, .perm = 02775, .uid = 10, .gid = 20, .mtime = 1600000001};
    e["opt/app-x"] = {.kind = TarEntry::kDir, .perm = 0700, .uid = 1, .gid = 2, .mtime = 1600000002};
    e["opt/app/big.bin"] = {.kind = TarEntry::kFile, .source = Source("big", std::string(300000, 'x')),
                            .perm = 0640, .uid = 1000, .gid = 1000, .mtime = 1500000000};
    e["opt/app/suid"] = {.kind = TarEntry::kFile, .source = Source("suid", "#!/bin/sh\n"),
                         .perm = 04755, .uid = 5, .gid = 6, .mtime = 1500000001};
    e["opt/app/empty"] = {.kind = TarEntry::kFile, .source = Source("empty", ""), .perm = 0600,
                          .mtime = 1};
    e["opt/app/link"] = {.kind = TarEntry::kSymlink, .link = "../app-x/none", .perm = 0777,
                         .uid = 7, .gid = 8, .mtime = 1500000002};
    e["opt/app/doc"] = {.kind = TarEntry::kData, .data = "hello\n", .perm = 0644, .mtime = 1700000000};
    e["opt/app-x/z"] = {.kind = TarEntry::kData, .data = "z", .perm = 0444, .mtime = 1700000001};
    return e;
  }
  std::string tmp_;
};

// The directory packs to exactly the tar the entries give: same diff ID as
// the layer tar COPY used to write.
TEST_F(LayerDirTest, PackOfWrittenDirIsTheEntriesTar) {
  TarEntries entries = Sample();
  ASSERT_TRUE(WriteLayerDir(entries, tmp_ + "/layer").ok());
  std::string want = TarOf(entries);
  EXPECT_EQ(Packed(tmp_ + "/layer"), want);
  // And again: reading the directory changes nothing.
  EXPECT_EQ(Packed(tmp_ + "/layer"), want);

  struct stat st;
  ASSERT_EQ(::lstat((tmp_ + "/layer/opt/app/suid").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_uid, 5u);
  ASSERT_EQ(::lstat((tmp_ + "/layer/opt/app").c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 1600000001);
  EXPECT_EQ(st.st_mode & 07777, 02775u);
  EXPECT_EQ(fs::ReadFile(tmp_ + "/layer/opt/app/doc").value(), "hello\n");
}

// Files are copies: changing the source afterwards leaves the layer alone.
TEST_F(LayerDirTest, FilesAreCopiesNotLinks) {
  TarEntries entries = Sample();
  ASSERT_TRUE(WriteLayerDir(entries, tmp_ + "/layer").ok());
  std::string before = Packed(tmp_ + "/layer");
  struct stat src, dst;
  ASSERT_EQ(::stat((tmp_ + "/src/big").c_str(), &src), 0);
  ASSERT_EQ(::stat((tmp_ + "/layer/opt/app/big.bin").c_str(), &dst), 0);
  EXPECT_NE(src.st_ino, dst.st_ino);
  ASSERT_TRUE(fs::WriteFile(tmp_ + "/src/big", std::string(300000, 'y')).ok());
  EXPECT_EQ(Packed(tmp_ + "/layer"), before);
}

TEST_F(LayerDirTest, EmptyDirIsTheEmptyTar) {
  EXPECT_EQ(Packed(tmp_ + "/layer"), std::string(1024, '\0'));
  EXPECT_EQ(TarOf({}), std::string(1024, '\0'));
}

TEST_F(LayerDirTest, Errors) {
  // An entry whose parent is no entry: the tar would lack it, so refused.
  TarEntries orphan;
  orphan["a/b"] = {.kind = TarEntry::kData, .data = "x"};
  Status s = WriteLayerDir(orphan, tmp_ + "/layer");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("no parent entry"), std::string::npos);

  // A source that is gone.
  TarEntries missing;
  missing["f"] = {.kind = TarEntry::kFile, .source = tmp_ + "/src/none"};
  EXPECT_FALSE(WriteLayerDir(missing, tmp_ + "/layer").ok());

  // Something COPY never makes is not packed silently.
  ASSERT_EQ(::mkfifo((tmp_ + "/layer/fifo").c_str(), 0600), 0);
  s = PackLayerDir(tmp_ + "/layer", [](std::string_view) { return Ok(); });
  EXPECT_FALSE(s.ok());
}

}  // namespace
}  // namespace berth::build

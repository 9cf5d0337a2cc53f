#include "build/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"

namespace berth::build {
namespace {

struct Entry {
  std::string name, link, data;
  mode_t mode;
  int64_t mtime;
};

std::vector<Entry> ReadTar(const std::string& path) {
  std::vector<Entry> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 10240), ARCHIVE_OK);
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    Entry x{archive_entry_pathname(e), archive_entry_symlink(e) ? archive_entry_symlink(e) : "", "",
            archive_entry_mode(e), archive_entry_mtime(e)};
    char buf[4096];
    ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) x.data.append(buf, n);
    out.push_back(x);
  }
  archive_read_free(a);
  return out;
}

class TarWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-tar-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { ASSERT_TRUE(fs::RemoveAll(dir_).ok()); }
  std::string Write(bool pad, const std::function<void(TarWriter&)>& fn) {
    std::string path = dir_ + "/out.tar";
    auto fd = fs::Open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    EXPECT_TRUE(fd.ok());
    TarWriter tar;
    EXPECT_TRUE(tar.Open(fd->get(), pad).ok());
    fn(tar);
    EXPECT_TRUE(tar.Close().ok());
    return path;
  }
  std::string dir_;
};

TEST_F(TarWriterTest, HeadersAndData) {
  std::string path = Write(true, [](TarWriter& tar) {
    ASSERT_TRUE(tar.WriteHeader({.kind = TarHeader::kDir, .name = "d", .perm = 0755, .mtime = 7}).ok());
    ASSERT_TRUE(tar.WriteHeader({.kind = TarHeader::kFile, .name = "d/f", .perm = 0600, .size = 5}).ok());
    ASSERT_TRUE(tar.WriteData("hello").ok());
    ASSERT_TRUE(tar.WriteHeader({.kind = TarHeader::kSymlink, .name = "l", .perm = 0777, .link = "d/f"}).ok());
  });
  auto entries = ReadTar(path);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].name, "d/");
  EXPECT_TRUE(S_ISDIR(entries[0].mode));
  EXPECT_EQ(entries[0].mtime, 7);
  EXPECT_EQ(entries[1].data, "hello");
  EXPECT_EQ(entries[1].mode & 07777, 0600u);
  EXPECT_EQ(entries[2].link, "d/f");
  // Written to a regular file, neither is padded to a whole record: four
  // blocks (three headers, one of data) and the two zero blocks.
  EXPECT_EQ(fs::ReadFile(path)->size(), 512u * 6);
  std::string unpadded = Write(false, [](TarWriter& tar) {
    ASSERT_TRUE(tar.WriteHeader({.name = "f", .size = 1}).ok());
    ASSERT_TRUE(tar.WriteData("x").ok());
  });
  EXPECT_EQ(fs::ReadFile(unpadded)->size(), 512u * 4);  // header, data, two zero blocks
}

TEST_F(TarWriterTest, SameEntriesSameBytes) {
  auto write = [&] {
    return *fs::ReadFile(Write(true, [](TarWriter& tar) {
      ASSERT_TRUE(tar.WriteHeader({.name = "f", .uid = 1, .gid = 2, .mtime = 1000, .size = 2}).ok());
      ASSERT_TRUE(tar.WriteData("ab").ok());
    }));
  };
  EXPECT_EQ(write(), write());
}

TEST_F(TarWriterTest, AddPathFromDisk) {
  ASSERT_TRUE(fs::AtomicWrite(dir_ + "/file", "contents").ok());
  ASSERT_EQ(::symlink("file", (dir_ + "/link").c_str()), 0);
  std::string path = Write(false, [&](TarWriter& tar) {
    for (const char* n : {"file", "link"}) {
      struct stat st;
      ASSERT_EQ(::lstat((dir_ + "/" + n).c_str(), &st), 0);
      ASSERT_TRUE(tar.AddPath(n, dir_ + "/" + n, st).ok());
    }
  });
  auto entries = ReadTar(path);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].data, "contents");
  EXPECT_EQ(entries[1].link, "file");
}

TEST_F(TarWriterTest, ShortFileIsAnError) {
  ASSERT_TRUE(fs::AtomicWrite(dir_ + "/short", "abc").ok());
  Write(false, [&](TarWriter& tar) {
    auto fd = fs::Open(dir_ + "/short", O_RDONLY | O_CLOEXEC);
    ASSERT_TRUE(fd.ok());
    ASSERT_TRUE(tar.WriteHeader({.name = "short", .size = 10}).ok());
    Status s = tar.CopyFrom(fd->get(), 10, "short");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find("shrank"), std::string::npos);
    ASSERT_TRUE(tar.WriteData(std::string(7, '\0')).ok());  // keep the archive well-formed
  });
}

// A sink gets exactly the bytes a regular file would (the diff ID of a
// layer hashed on the way equals the file's), and a failing sink fails the
// write with its own error.
TEST_F(TarWriterTest, SinkGetsTheFileBytes) {
  auto entries = [](TarWriter& tar) {
    ASSERT_TRUE(tar.WriteHeader({.kind = TarHeader::kDir, .name = "d", .perm = 0755, .mtime = 7}).ok());
    ASSERT_TRUE(tar.WriteHeader({.name = "d/f", .perm = 0600, .size = 20000}).ok());
    ASSERT_TRUE(tar.WriteData(std::string(20000, 'q')).ok());
  };
  std::string file = *fs::ReadFile(Write(true, entries));
  std::string got;
  TarWriter tar;
  ASSERT_TRUE(tar.Open([&](std::string_view d) {
                   got.append(d);
                   return Ok();
                 }).ok());
  entries(tar);
  ASSERT_TRUE(tar.Close().ok());
  EXPECT_EQ(got, file);

  TarWriter failing;
  ASSERT_TRUE(failing.Open([](std::string_view) -> Status { return Error::Internal("disk gone"); }).ok());
  Status s = failing.WriteHeader({.name = "f", .size = 100000});
  if (s.ok()) s = failing.WriteData(std::string(100000, 'x'));
  if (s.ok()) s = failing.Close();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("disk gone"), std::string::npos);
}

}  // namespace
}  // namespace berth::build

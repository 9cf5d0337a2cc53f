#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "engine/fs/container_fs.h"
#include "engine/fs/in_root.h"
#include "engine/fs/test_util.h"

namespace berth::engine::fs {
namespace {

using testing::TarEntry;
using testing::TempDir;

// <tmp>/root is the container root; <tmp>/secret is a host file outside it.
class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::Write(tmp_ / "secret", "host secret");
    testing::Write(tmp_ / "root/etc/passwd", "root:x:0:0::/root:/bin/sh\ndaemon:x:2:3::/:/bin/sh\n");
    testing::Write(tmp_ / "root/etc/group", "root:x:0:\nstaff:x:50:\n");
    testing::Write(tmp_ / "root/secret", "container secret");
    testing::Symlink("/etc", tmp_ / "root/lnk");
    testing::Symlink("../../../../secret", tmp_ / "root/esc");
    testing::Symlink("/../../secret", tmp_ / "root/absesc");
    testing::Symlink("../nothere", tmp_ / "root/etc/dangling");
    testing::MkdirP(tmp_ / "root/etc/d");
  }
  std::string Root() const { return tmp_ / "root"; }
  std::string Out() const { return tmp_ / "out.tar"; }

  std::map<std::string, std::string> Archive(const std::string& path, Status* status = nullptr) {
    int fd = ::open(Out().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    Status st = ArchivePath(Root(), path, fd, "cid");
    ::close(fd);
    if (status) *status = st;
    if (!st.ok()) return {{"<error>", st.error().message()}};
    return testing::ReadTar(Out());
  }

  Status Extract(const std::string& path, const std::vector<TarEntry>& entries,
                 bool no_overwrite = false, bool copy_uid_gid = false,
                 const std::string& user = "") {
    std::string tar = tmp_ / "in.tar";
    testing::WriteTar(tar, entries);
    int fd = ::open(tar.c_str(), O_RDONLY | O_CLOEXEC);
    Status st = ExtractToPath(Root(), path, fd, no_overwrite, copy_uid_gid, user, "cid");
    ::close(fd);
    return st;
  }

  TempDir tmp_;
};

TEST_F(ArchiveTest, StatFile) {
  auto st = StatPath(Root(), "/etc/passwd", "cid");
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(st->name, "passwd");
  EXPECT_EQ(st->size, 50);
  EXPECT_EQ(st->mode, 0644u);
  EXPECT_EQ(st->link_target, "");
  EXPECT_EQ(st->mtime.back(), 'Z');
}

TEST_F(ArchiveTest, StatDirAndRoot) {
  auto st = StatPath(Root(), "etc/", "cid");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->name, "etc");
  EXPECT_EQ(st->mode, (1u << 31) | 0755u);
  auto root = StatPath(Root(), "/", "cid");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->name, "/");
  EXPECT_TRUE(root->mode & (1u << 31));
}

TEST_F(ArchiveTest, StatSymlinks) {
  struct Case {
    const char* path;
    const char* name;
    bool is_link;
    const char* target;
  } cases[] = {
      {"/lnk", "lnk", true, "/etc"},
      {"/lnk/", "lnk", false, ""},          // trailing slash follows it
      {"/esc", "esc", true, "/secret"},     // "..", clamped at the root
      {"/absesc", "absesc", true, "/secret"},
      {"/etc/dangling", "dangling", true, "/nothere"},
      {"/lnk/passwd", "passwd", false, ""},  // links on the way are followed
  };
  for (const Case& c : cases) {
    auto st = StatPath(Root(), c.path, "cid");
    ASSERT_TRUE(st.ok()) << c.path << ": " << st.error().message();
    EXPECT_EQ(st->name, c.name) << c.path;
    EXPECT_EQ((st->mode & (1u << 27)) != 0, c.is_link) << c.path;
    EXPECT_EQ(st->link_target, c.target) << c.path;
  }
}

TEST_F(ArchiveTest, EscapesStayInside) {
  // Through the links, "hostdir" is the container's directory, never the host's.
  testing::Write(tmp_ / "hostdir/f", "host");
  testing::Write(tmp_ / "root/hostdir/f", "container");
  testing::Symlink("../../../hostdir", tmp_ / "root/esc2");
  testing::Symlink("/../hostdir", tmp_ / "root/abs2");
  auto st = StatPath(Root(), "/esc2/f", "cid");
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(st->size, 9);
  EXPECT_EQ(Archive("/esc2/")["esc2/f"], "container");
  EXPECT_EQ(Archive("/abs2/f")["f"], "container");
  EXPECT_EQ(Archive("/../../secret")["secret"], "container secret");
  EXPECT_EQ(Archive("/esc/..//absesc/../secret")["secret"], "container secret");
  ASSERT_TRUE(Extract("/abs2", {{"g", AE_IFREG, "in"}}).ok());
  EXPECT_TRUE(berth::fs::Exists(tmp_ / "root/hostdir/g"));
  EXPECT_FALSE(berth::fs::Exists(tmp_ / "hostdir/g"));
}

TEST_F(ArchiveTest, NotFound) {
  for (const char* p : {"/nope", "/etc/nope", "/etc/passwd/x", "/etc/dangling/"}) {
    auto st = StatPath(Root(), p, "cid");
    ASSERT_FALSE(st.ok()) << p;
    EXPECT_EQ(st.error().code(), Code::kNotFound) << p;
    EXPECT_EQ(st.error().message(), std::string("Could not find the file ") + p + " in container cid");
    Status s;
    Archive(p, &s);
    EXPECT_EQ(s.error().code(), Code::kNotFound) << p;
  }
}

TEST_F(ArchiveTest, StatHeader) {
  PathStat st{"passwd", 51, 0644, "2024-01-02T03:04:05.5Z", ""};
  // base64 of {"linkTarget":"","mode":420,"mtime":"2024-01-02T03:04:05.5Z","name":"passwd","size":51}
  EXPECT_EQ(EncodeStatHeader(st),
            "eyJsaW5rVGFyZ2V0IjoiIiwibW9kZSI6NDIwLCJtdGltZSI6IjIwMjQtMDEtMDJUMDM6MDQ6MDUuNVoiLCJu"
            "YW1lIjoicGFzc3dkIiwic2l6ZSI6NTF9");
}

TEST_F(ArchiveTest, ArchiveShapes) {
  auto file = Archive("/etc/passwd");
  EXPECT_EQ(file.size(), 1u);
  EXPECT_TRUE(file.count("passwd"));

  auto dir = Archive("/etc");
  EXPECT_TRUE(dir.count("etc/"));
  EXPECT_TRUE(dir.count("etc/passwd"));
  EXPECT_TRUE(dir.count("etc/d/"));
  EXPECT_EQ(dir["etc/dangling"], "->../nothere");

  auto link = Archive("/lnk");
  EXPECT_EQ(link.size(), 1u);
  EXPECT_EQ(link["lnk"], "->/etc");

  auto followed = Archive("/lnk/");  // the directory, named as asked
  EXPECT_TRUE(followed.count("lnk/"));
  EXPECT_TRUE(followed.count("lnk/passwd"));

  auto dot = Archive("/etc/.");
  EXPECT_TRUE(dot.count("./"));
  EXPECT_TRUE(dot.count("./passwd"));

  auto root = Archive("/");
  EXPECT_TRUE(root.count("etc/passwd"));
  EXPECT_TRUE(root.count("secret"));
}

TEST_F(ArchiveTest, ExtractKeepsOwnersByDefault) {
  Status st = Extract("/etc", {{"new/", AE_IFDIR, "", "", 1234, 5678},
                               {"new/f", AE_IFREG, "data", "", 1234, 5678}});
  ASSERT_TRUE(st.ok()) << st.error().message();
  struct stat s;
  ASSERT_EQ(::stat((tmp_ / "root/etc/new/f").c_str(), &s), 0);
  EXPECT_EQ(s.st_uid, 1234u);
  EXPECT_EQ(s.st_gid, 5678u);
  EXPECT_EQ(berth::fs::ReadFile(tmp_ / "root/etc/new/f").value(), "data");
}

TEST_F(ArchiveTest, ExtractCopyUidGidUsesTheContainerUser) {
  struct Case {
    const char* user;
    uid_t uid;
    gid_t gid;
  } cases[] = {{"", 0, 0}, {"daemon", 2, 3}, {"daemon:staff", 2, 50}, {"77:88", 77, 88}, {"2", 2, 3}};
  for (const Case& c : cases) {
    Status st = Extract("/", {{"owned", AE_IFREG, "x", "", 1234, 5678}}, false, true, c.user);
    ASSERT_TRUE(st.ok()) << c.user << ": " << st.error().message();
    struct stat s;
    ASSERT_EQ(::stat((tmp_ / "root/owned").c_str(), &s), 0);
    EXPECT_EQ(s.st_uid, c.uid) << c.user;
    EXPECT_EQ(s.st_gid, c.gid) << c.user;
  }
  Status bad = Extract("/", {{"owned", AE_IFREG, "x"}}, false, true, "nobody-here");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "unable to find user nobody-here: no matching entries in passwd file");
}

TEST_F(ArchiveTest, ExtractThroughSymlinkedDestination) {
  Status st = Extract("/lnk", {{"viaLink", AE_IFREG, "v"}});
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_TRUE(berth::fs::Exists(tmp_ / "root/etc/viaLink"));
  // A destination link that climbs out lands inside the root.
  testing::Symlink("../../..", tmp_ / "root/up");
  st = Extract("/up", {{"top", AE_IFREG, "t"}});
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_TRUE(berth::fs::Exists(tmp_ / "root/top"));
}

TEST_F(ArchiveTest, ExtractErrors) {
  Status st = Extract("/etc/passwd", {{"x", AE_IFREG, "x"}});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "extraction point is not a directory");

  st = Extract("/missing", {{"x", AE_IFREG, "x"}});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kNotFound);
  EXPECT_EQ(st.error().message(), "Could not find the file /missing in container cid");

  st = Extract("/etc", {{"d", AE_IFREG, "x"}}, /*no_overwrite=*/true);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "cannot overwrite directory \"/etc/d\" with non-directory \"/etc\"");
  st = Extract("/etc", {{"passwd/", AE_IFDIR}}, true);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(),
            "cannot overwrite non-directory \"/etc/passwd\" with directory \"/etc\"");
  // Without the flag the directory is replaced, as Docker does.
  st = Extract("/etc", {{"d", AE_IFREG, "now a file"}});
  ASSERT_TRUE(st.ok()) << st.error().message();
  EXPECT_EQ(berth::fs::ReadFile(tmp_ / "root/etc/d").value(), "now a file");
}

TEST_F(ArchiveTest, ExtractNeverLeavesTheDestination) {
  // ".." above the extraction point is refused.
  Status st = Extract("/etc", {{"../../../evil", AE_IFREG, "x"}});
  EXPECT_FALSE(st.ok());
  // A symlink that points out of the destination is not followed for writes.
  st = Extract("/", {{"esc/evil", AE_IFREG, "x"}});
  EXPECT_FALSE(st.ok());
  st = Extract("/", {{"out", AE_IFLNK, "", "/.."}, {"out/evil", AE_IFREG, "x"}});
  EXPECT_FALSE(st.ok());
  EXPECT_FALSE(berth::fs::Exists(tmp_ / "evil"));
  EXPECT_EQ(berth::fs::ReadFile(tmp_ / "secret").value(), "host secret");
  // Whiteout entries are skipped, not made into overlay whiteouts.
  st = Extract("/etc", {{".wh.passwd", AE_IFREG, ""}});
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(berth::fs::ReadFile(tmp_ / "root/etc/passwd").value().substr(0, 4), "root");
}

TEST(AbsPreserving, KeepsTrailingDotAndSlash) {
  EXPECT_EQ(AbsPreserving("etc"), "/etc");
  EXPECT_EQ(AbsPreserving("/etc/"), "/etc/");
  EXPECT_EQ(AbsPreserving("/etc/."), "/etc/.");
  EXPECT_EQ(AbsPreserving("/a/../b//"), "/b/");
  EXPECT_EQ(AbsPreserving("/"), "/");
  EXPECT_EQ(AbsPreserving("."), "/.");
  EXPECT_EQ(BaseOf("/etc/"), "etc");
  EXPECT_EQ(BaseOf("/"), "/");
  EXPECT_EQ(BaseOf("/etc/."), ".");
}

}  // namespace
}  // namespace berth::engine::fs

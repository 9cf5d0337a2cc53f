#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <functional>

#include "engine/fs/container_fs.h"
#include "engine/fs/test_util.h"
#include "image/layer/layer.h"

namespace berth::engine::fs {
namespace {

using testing::TempDir;

std::vector<std::string> Show(const std::vector<Change>& changes) {
  static const char* kKinds = "CAD";
  std::vector<std::string> out;
  for (const Change& c : changes) out.push_back(std::string(1, kKinds[c.kind]) + " " + c.path);
  return out;
}

struct ChangesCase {
  const char* name;
  // Builds the lower layers (top first: lower0 over lower1) and the upper dir.
  std::function<void(const TempDir& lower0, const TempDir& lower1, const TempDir& upper)> setup;
  std::vector<std::string> excluded;
  std::vector<std::string> want;
};

class ChangesTest : public ::testing::TestWithParam<ChangesCase> {};

TEST_P(ChangesTest, Reports) {
  const ChangesCase& c = GetParam();
  TempDir l0, l1, up;
  testing::Write(l1 / "etc/passwd", "root\n");
  testing::Write(l1 / "etc/shadow", "x\n");
  testing::Write(l1 / "var/lib/old", "old\n");
  ::chmod((l1 / "etc").c_str(), 0755);
  c.setup(l0, l1, up);
  auto got = Changes(up.path(), l0.path() + ":" + l1.path(), c.excluded);
  ASSERT_TRUE(got.ok()) << got.error().message();
  EXPECT_EQ(Show(*got), c.want);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ChangesTest,
    ::testing::Values(
        ChangesCase{"added",
                    [](auto&, auto&, auto& up) { testing::Write(up / "newdir/f", "x"); },
                    {},
                    {"A /newdir", "A /newdir/f"}},
        ChangesCase{"modified",
                    [](auto&, auto&, auto& up) { testing::Write(up / "etc/passwd", "root2\n"); },
                    {},
                    {"C /etc", "C /etc/passwd"}},
        ChangesCase{"deleted",
                    [](auto&, auto&, auto& up) { testing::Whiteout(up / "etc/shadow"); },
                    {},
                    {"C /etc", "D /etc/shadow"}},
        ChangesCase{"opaque dir replaces the lower one",
                    [](auto&, auto&, auto& up) {
                      testing::Opaque(up / "var/lib");
                      testing::Write(up / "var/lib/new", "n");
                    },
                    {},
                    {"C /var", "D /var/lib", "A /var/lib/new"}},
        ChangesCase{"excluded paths and unchanged dirs are left out",
                    [](auto&, auto&, auto& up) {
                      testing::Write(up / "etc/hostname", "h\n");
                      ::chmod((up / "etc").c_str(), 0755);
                      testing::Write(up / "data/x", "v");
                    },
                    {"/etc/hostname", "/data"},
                    {}},
        ChangesCase{"a whiteout in an upper lower layer hides the lower ones",
                    [](auto& l0, auto&, auto& up) {
                      testing::Whiteout(l0 / "etc/passwd");
                      ::chmod((l0 / "etc").c_str(), 0755);
                      testing::Write(up / "etc/passwd", "again\n");
                    },
                    {},
                    {"C /etc", "A /etc/passwd"}},
        ChangesCase{"walk order: a parent before its children, names bytewise",
                    [](auto&, auto&, auto& up) {
                      testing::Write(up / "a-c", "1");
                      testing::Write(up / "a/b", "2");
                    },
                    {},
                    {"A /a", "A /a/b", "A /a-c"}},
        ChangesCase{"mode change of a directory",
                    [](auto&, auto&, auto& up) {
                      testing::MkdirP(up / "etc");
                      ::chmod((up / "etc").c_str(), 0700);
                    },
                    {},
                    {"C /etc"}},
        ChangesCase{"a symlink in a lower layer is not followed",
                    [](auto&, auto& l1, auto& up) {
                      testing::Symlink("/etc", l1 / "link");
                      testing::Write(up / "link/passwd", "x");
                    },
                    {},
                    {"C /link", "A /link/passwd"}}),
    [](const auto& info) {
      std::string n = info.param.name;
      for (char& ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(ChangesJson, Shape) {
  nlohmann::json j = ToJson({{"/etc", 0}, {"/x", 1}, {"/y", 2}});
  EXPECT_EQ(j.dump(),
            R"([{"Kind":0,"Path":"/etc"},{"Kind":1,"Path":"/x"},{"Kind":2,"Path":"/y"}])");
  EXPECT_EQ(ToJson({}).dump(), "[]");
}

TEST(PackChanges, RoundTripsThroughUnpack) {
  TempDir up, out;
  testing::Write(up / "etc/passwd", "root2\n");
  testing::Whiteout(up / "etc/shadow");
  testing::Opaque(up / "var/lib");
  testing::Write(up / "var/lib/new", "n");
  testing::Write(up / "etc/hostname", "skipped\n");
  std::string tar = out / "layer.tar";
  int fd = ::open(tar.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  auto diff = PackChanges(up.path(), {"/etc/hostname"}, fd);
  ::close(fd);
  ASSERT_TRUE(diff.ok()) << diff.error().message();

  auto entries = testing::ReadTar(tar);
  EXPECT_TRUE(entries.count("etc/.wh.shadow"));
  EXPECT_TRUE(entries.count("var/lib/.wh..wh..opq"));
  EXPECT_FALSE(entries.count("etc/hostname"));

  int in = ::open(tar.c_str(), O_RDONLY | O_CLOEXEC);
  layer::UnpackOptions uo;
  uo.sync = false;
  auto r = layer::Unpack(in, out / "diff", uo);
  ::close(in);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->diff_id.str(), *diff);
  struct stat st;
  ASSERT_EQ(::lstat((out / "diff/etc/shadow").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  char v[4] = {};
  EXPECT_EQ(::lgetxattr((out / "diff/var/lib").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
  EXPECT_EQ(berth::fs::ReadFile(out / "diff/etc/passwd").value(), "root2\n");
  EXPECT_FALSE(berth::fs::Exists(out / "diff/etc/hostname"));
}

TEST(PackChanges, EmptyUpperIsTheEmptyTar) {
  TempDir up, out;
  int fd = ::open((out / "t").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  auto diff = PackChanges(up.path(), {}, fd);
  ::close(fd);
  ASSERT_TRUE(diff.ok());
  // 1024 zero bytes, Docker's empty layer.
  EXPECT_EQ(*diff, "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
}

TEST(ExportRootfs, WholeTreeMinusExcluded) {
  TempDir root, out;
  testing::Write(root / "bin/sh", "elf");
  testing::Write(root / "etc/hosts", "h");
  testing::Symlink("/bin/sh", root / "sh");
  int fd = ::open((out / "t").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  Status st = ExportRootfs(root.path(), {"/etc/hosts"}, fd);
  ::close(fd);
  ASSERT_TRUE(st.ok()) << st.error().message();
  auto entries = testing::ReadTar(out / "t");
  std::map<std::string, std::string> want = {
      {"bin/", ""}, {"bin/sh", "elf"}, {"etc/", ""}, {"sh", "->/bin/sh"}};
  EXPECT_EQ(entries, want);
}

}  // namespace
}  // namespace berth::engine::fs

#include "runtime/rootfs/mount_options.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

namespace berth::rootfs {
namespace {

struct Case {
  std::vector<std::string> options;
  unsigned long flags;
  std::vector<unsigned long> propagation;
  std::string data;
};

TEST(MountOptions, Table) {
  const std::vector<Case> cases = {
      {{}, 0, {}, ""},
      {{"defaults"}, 0, {}, ""},
      {{"ro"}, MS_RDONLY, {}, ""},
      {{"ro", "rw"}, 0, {}, ""},
      {{"rw", "ro"}, MS_RDONLY, {}, ""},
      {{"nosuid", "nodev", "noexec"}, MS_NOSUID | MS_NODEV | MS_NOEXEC, {}, ""},
      {{"nosuid", "suid", "nodev", "dev", "noexec", "exec"}, 0, {}, ""},
      {{"relatime"}, MS_RELATIME, {}, ""},
      {{"strictatime"}, MS_STRICTATIME, {}, ""},
      {{"relatime", "strictatime"}, MS_STRICTATIME, {}, ""},
      {{"noatime", "nodiratime"}, MS_NOATIME | MS_NODIRATIME, {}, ""},
      {{"sync", "dirsync", "mand"}, MS_SYNCHRONOUS | MS_DIRSYNC | MS_MANDLOCK, {}, ""},
      {{"bind"}, MS_BIND, {}, ""},
      {{"rbind"}, MS_BIND | MS_REC, {}, ""},
      {{"rbind", "ro"}, MS_BIND | MS_REC | MS_RDONLY, {}, ""},
      {{"rprivate"}, 0, {MS_PRIVATE | MS_REC}, ""},
      {{"shared"}, 0, {MS_SHARED}, ""},
      {{"rslave", "unbindable"}, 0, {MS_SLAVE | MS_REC, MS_UNBINDABLE}, ""},
      {{"runbindable", "rshared", "slave", "private"},
       0,
       {MS_UNBINDABLE | MS_REC, MS_SHARED | MS_REC, MS_SLAVE, MS_PRIVATE},
       ""},
      {{"size=64m"}, 0, {}, "size=64m"},
      {{"nosuid", "size=65536k", "mode=755", "strictatime"},
       MS_NOSUID | MS_STRICTATIME,
       {},
       "size=65536k,mode=755"},
      {{"newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}, 0, {}, "newinstance,ptmxmode=0666,mode=0620,gid=5"},
      {{"frobnicate"}, 0, {}, "frobnicate"},  // unknown: data, as runc does
      {{"", "ro"}, MS_RDONLY, {}, ""},
  };
  for (const Case& c : cases) {
    std::string name;
    for (const auto& o : c.options) name += o + ",";
    SCOPED_TRACE(name);
    MountOptions mo = ParseMountOptions(c.options);
    EXPECT_EQ(mo.flags, c.flags);
    EXPECT_EQ(mo.propagation, c.propagation);
    EXPECT_EQ(mo.data, c.data);
  }
}

TEST(MountOptions, BindAndRemountFlags) {
  MountOptions mo = ParseMountOptions({"rbind", "ro", "nosuid"});
  EXPECT_TRUE(mo.bind());
  EXPECT_TRUE(mo.recursive());
  EXPECT_EQ(mo.RemountFlags(), static_cast<unsigned long>(MS_RDONLY | MS_NOSUID));
  MountOptions plain = ParseMountOptions({"bind", "rprivate"});
  EXPECT_TRUE(plain.bind());
  EXPECT_FALSE(plain.recursive());
  EXPECT_EQ(plain.RemountFlags(), 0u);
}

TEST(MountOptions, TmpCopyUp) {
  EXPECT_TRUE(ParseMountOptions({"tmpcopyup"}).tmpcopyup);
  EXPECT_FALSE(ParseMountOptions({"tmpcopyup", "notmpcopyup"}).tmpcopyup);
  EXPECT_EQ(ParseMountOptions({"tmpcopyup"}).data, "");
}

TEST(MountOptions, RootfsPropagation) {
  EXPECT_EQ(*RootfsPropagation(""), static_cast<unsigned long>(MS_SLAVE | MS_REC));
  EXPECT_EQ(*RootfsPropagation("rshared"), static_cast<unsigned long>(MS_SHARED | MS_REC));
  EXPECT_EQ(*RootfsPropagation("private"), static_cast<unsigned long>(MS_PRIVATE));
  auto bad = RootfsPropagation("sideways");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.error().message().find("sideways"), std::string::npos);
}

TEST(MountOptions, FlagsString) {
  EXPECT_EQ(FlagsString(0), "none");
  EXPECT_EQ(FlagsString(MS_NOSUID | MS_NODEV | MS_NOEXEC), "nosuid,nodev,noexec");
  EXPECT_EQ(FlagsString(MS_BIND | MS_REC | MS_RDONLY), "rdonly,bind,rec");
  EXPECT_EQ(PropagationString(MS_PRIVATE | MS_REC), "rprivate");
  EXPECT_EQ(PropagationString(MS_SHARED), "shared");
}

TEST(MountOptions, StatvfsFlags) {
  EXPECT_EQ(StatvfsToMountFlags(ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME),
            static_cast<unsigned long>(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
                                       MS_RELATIME));
  EXPECT_EQ(StatvfsToMountFlags(0), 0u);
}

}  // namespace
}  // namespace berth::rootfs

#include "monitor/args.h"

#include <gtest/gtest.h>

namespace berth::monitor {
namespace {

TEST(Args, RoundTripContainer) {
  SpawnOptions s;
  s.id = "abc";
  s.bundle = "/b";
  s.runtime_root = "/r";
  s.dir = "/d";
  s.log_path = "/d/abc-json.log";
  s.log_max_size = 1000;
  s.log_max_files = 3;
  s.tty = true;
  s.stdin_open = true;
  s.stdin_once = true;
  s.rootfs_mount = "/m";
  auto o = ParseArgs(BuildArgs(s, 3));
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_EQ(o->ready_fd, 3);
  const SpawnOptions& p = o->spawn;
  EXPECT_FALSE(p.exec_mode);
  EXPECT_EQ(p.id, "abc");
  EXPECT_EQ(p.bundle, "/b");
  EXPECT_EQ(p.runtime_root, "/r");
  EXPECT_EQ(p.dir, "/d");
  EXPECT_EQ(p.log_path, "/d/abc-json.log");
  EXPECT_EQ(p.log_max_size, 1000);
  EXPECT_EQ(p.log_max_files, 3);
  EXPECT_TRUE(p.tty && p.stdin_open && p.stdin_once);
  EXPECT_EQ(p.rootfs_mount, "/m");
}

TEST(Args, RoundTripExec) {
  SpawnOptions s;
  s.exec_mode = true;
  s.id = "abc";
  s.runtime_root = "/r";
  s.dir = "/d/exec/1";
  s.process_file = "/d/exec/1/process.json";
  auto o = ParseArgs(BuildArgs(s, -1));
  ASSERT_TRUE(o.ok()) << o.error().message();
  EXPECT_TRUE(o->spawn.exec_mode);
  EXPECT_EQ(o->spawn.process_file, "/d/exec/1/process.json");
  EXPECT_EQ(o->ready_fd, -1);
  EXPECT_FALSE(o->spawn.tty);
  EXPECT_EQ(o->spawn.log_path, "");
}

TEST(Args, Rejects) {
  using V = std::vector<std::string>;
  const V ok = {"container", "--id", "a", "--bundle", "/b", "--runtime-root", "/r", "--dir", "/d"};
  EXPECT_TRUE(ParseArgs(ok).ok());
  EXPECT_FALSE(ParseArgs(V{}).ok());
  EXPECT_FALSE(ParseArgs(V{"run"}).ok());
  EXPECT_FALSE(ParseArgs(V{"container", "--id", "a", "--runtime-root", "/r", "--dir", "/d"}).ok());
  EXPECT_FALSE(ParseArgs(V{"exec", "--id", "a", "--runtime-root", "/r", "--dir", "/d"}).ok());
  V rel = ok;
  rel[4] = "b";
  EXPECT_FALSE(ParseArgs(rel).ok());
  V extra = ok;
  extra.push_back("--bogus");
  EXPECT_FALSE(ParseArgs(extra).ok());
  V missing = ok;
  missing.push_back("--log-max-size");
  EXPECT_FALSE(ParseArgs(missing).ok());
  V neg = ok;
  neg.insert(neg.end(), {"--log-max-size", "-5"});
  EXPECT_FALSE(ParseArgs(neg).ok());
}

}  // namespace
}  // namespace berth::monitor

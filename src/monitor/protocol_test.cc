#include "monitor/protocol.h"

#include <gtest/gtest.h>

namespace berth::monitor {
namespace {

TEST(Command, Parses) {
  auto c = ParseCommand("start");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, CommandKind::kStart);
  c = ParseCommand("attach 1 0 1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->kind, CommandKind::kAttach);
  EXPECT_TRUE(c->in);
  EXPECT_FALSE(c->out);
  EXPECT_TRUE(c->err);
  c = ParseCommand("resize 24 80");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->height, 24);
  EXPECT_EQ(c->width, 80);
  c = ParseCommand("signal 9");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->signal, 9);
  EXPECT_EQ(ParseCommand("wait")->kind, CommandKind::kWait);
}

TEST(Command, Rejects) {
  for (const char* bad : {"", "start now", "attach 1 1", "attach 2 0 0", "attach a b c",
                          "resize 24", "resize -1 80", "resize 70000 80", "signal 0",
                          "signal 65", "signal x", "wait 1", "stop"})
    EXPECT_FALSE(ParseCommand(bad).ok()) << bad;
}

TEST(Frame, DockerHeader) {
  std::string out;
  AppendFrame(out, kStderr, "hi");
  EXPECT_EQ(out, std::string("\x02\0\0\0\0\0\0\x02hi", 10));
  out.clear();
  AppendFrame(out, kStdout, std::string(0x010203, 'x'));
  ASSERT_EQ(out.size(), 8u + 0x010203);
  EXPECT_EQ(out.substr(0, 8), std::string("\x01\0\0\0\0\x01\x02\x03", 8));
}

TEST(ExitJson, RoundTrips) {
  ExitStatus s;
  s.exit_code = 137;
  s.oom_killed = true;
  s.pid = 42;
  s.started_at = "2026-01-02T03:04:05.000000001Z";
  s.finished_at = "2026-01-02T03:04:06.000000001Z";
  s.error = "exec: \"x\": \xff";
  std::string j = EncodeExit(s);
  EXPECT_EQ(j.rfind("{\"exit_code\":137,\"oom_killed\":true,\"pid\":42,", 0), 0u) << j;
  auto d = DecodeExit(j);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(d->exit_code, 137);
  EXPECT_TRUE(d->oom_killed);
  EXPECT_EQ(d->pid, 42);
  EXPECT_EQ(d->started_at, s.started_at);
  EXPECT_EQ(d->finished_at, s.finished_at);
  EXPECT_EQ(d->error, "exec: \"x\": \xef\xbf\xbd");
  EXPECT_FALSE(DecodeExit("{").ok());
  EXPECT_FALSE(DecodeExit("{\"exit_code\":\"x\"}").ok());
}

TEST(StartError, ExitCodes) {
  EXPECT_EQ(ExitCodeForStartError("exec: \"nope\": executable file not found in $PATH"), 127);
  EXPECT_EQ(ExitCodeForStartError("exec: \"/nope\": No such file or directory"), 127);
  EXPECT_EQ(ExitCodeForStartError("exec: \"/etc\": permission denied"), 126);
  EXPECT_EQ(ExitCodeForStartError("exec /etc/passwd: Permission denied"), 126);
  EXPECT_EQ(ExitCodeForStartError("prepare rootfs: mount proc: Operation not permitted"), 128);
}

}  // namespace
}  // namespace berth::monitor

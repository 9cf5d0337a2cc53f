#include "runtime/sync.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"

namespace berth::runtime {

TEST(Sync, MessagesErrorsAndFds) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [a, b] = *pair;
  ASSERT_TRUE(a.Send(Msg::kGo, 42).ok());
  auto m = b.Expect(Msg::kGo);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->value, 42);

  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_TRUE(a.Send(Msg::kConsole, 0, "", p[1]).ok());
  ::close(p[1]);
  auto c = b.Recv();
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c->fd.valid());
  ASSERT_EQ(::write(c->fd.get(), "x", 1), 1);
  char ch = 0;
  ASSERT_EQ(::read(p[0], &ch, 1), 1);
  EXPECT_EQ(ch, 'x');
  ::close(p[0]);

  ASSERT_TRUE(a.SendError(Error(Code::kNotFound, "exec: \"x\": not found", ENOENT)).ok());
  auto e = b.Expect(Msg::kReady);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code(), Code::kNotFound);
  EXPECT_EQ(e.error().err(), ENOENT);
  EXPECT_EQ(e.error().message(), "exec: \"x\": not found");
}

TEST(Sync, AwaitExecSeesCloseOnExec) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    parent.Close();
    execl("/bin/true", "true", nullptr);
    _exit(127);
  }
  child.Close();
  auto r = AwaitExec(parent);
  EXPECT_TRUE(r.ok());
  int status = 0;
  waitpid(pid, &status, 0);
}

TEST(Sync, StartSocketWithALongPath) {
  char tmpl[] = "/tmp/berth-sync-test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = std::string(tmpl) + "/" + std::string(100, 'd');
  ASSERT_TRUE(fs::MkdirAll(dir).ok());
  std::string path = dir + "/start.sock";
  auto l = ListenStartSocket(path);
  ASSERT_TRUE(l.ok()) << l.error().message();
  auto c = ConnectStartSocket(path);
  ASSERT_TRUE(c.ok()) << c.error().message();
  int conn = accept4(l->get(), nullptr, nullptr, SOCK_CLOEXEC);
  ASSERT_GE(conn, 0);
  SyncSocket server{unique_fd(conn)};
  ASSERT_TRUE(c->Send(Msg::kStart).ok());
  EXPECT_TRUE(server.Expect(Msg::kStart).ok());
  EXPECT_TRUE(fs::RemoveAll(tmpl).ok());
}

}  // namespace berth::runtime

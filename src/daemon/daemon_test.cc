// Daemon start-up and shutdown with real roots in a temp dir.
#include "daemon/daemon.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "http/client.h"

namespace berth::daemon {
namespace {

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berthd-daemon-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    options_.data_root = dir_ + "/data";
    options_.exec_root = dir_ + "/exec";
    options_.hosts = {"unix://" + dir_ + "/berth.sock"};
    options_.group = "";
    options_.discovery_addr = "127.0.0.1:0";
  }
  void TearDown() override { (void)fs::RemoveAll(dir_); }

  std::string dir_;
  Options options_;
};

TEST_F(DaemonTest, StartServesAndStopCleansUp) {
  auto d = Daemon::Start(options_);
  ASSERT_TRUE(d.ok()) << d.error().message();
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/berth.sock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  EXPECT_TRUE(fs::Exists(dir_ + "/exec/berthd.pid"));
  EXPECT_TRUE(fs::Exists(dir_ + "/data/engine-id"));
  EXPECT_TRUE(fs::Exists(dir_ + "/exec/discovery.addr"));

  http::Endpoint ep;
  ep.path = dir_ + "/berth.sock";
  http::Client client(ep);
  http::ClientRequest req;
  req.target = "/v1.41/images/json";
  auto r = client.Do(req);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "[]");

  // A second daemon on the same roots is refused, naming the holder.
  Options other = options_;
  other.hosts = {"unix://" + dir_ + "/other.sock"};
  auto second = Daemon::Start(other);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(
      second.error().message(),
      fmt::format("berthd is already running with data root {}/data (pid {})", dir_, getpid()));
  other.data_root = dir_ + "/data2";
  second = Daemon::Start(other);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message().find("already running with exec root"), std::string::npos);
  // The failed start did not disturb the running daemon's socket.
  EXPECT_TRUE(fs::Exists(dir_ + "/berth.sock"));

  (*d)->Stop();
  EXPECT_FALSE(fs::Exists(dir_ + "/berth.sock"));
  EXPECT_FALSE(fs::Exists(dir_ + "/exec/berthd.pid"));
  // The roots are free again.
  auto again = Daemon::Start(options_);
  ASSERT_TRUE(again.ok()) << again.error().message();
}

TEST_F(DaemonTest, ListenFailureIsOneClearError) {
  options_.hosts = {"unix://" + dir_ + "/missing/../berth.sock", "tcp://256.1.1.1:1"};
  options_.insecure_tcp = true;
  auto d = Daemon::Start(options_);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message().find("listen on tcp://256.1.1.1:1"), std::string::npos)
      << d.error().message();
  EXPECT_FALSE(fs::Exists(dir_ + "/exec/berthd.pid"));
}

}  // namespace
}  // namespace berth::daemon

// Manager against the real kernel (root only): its own bridge, subnet and
// nft table named after the test's pid, removed at the end.
#include "network/manager.h"

#include <unistd.h>

#include <chrono>
#include <future>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/fs.h"
#include "network/netlink.h"
#include "network/nft.h"

namespace berth::network {
namespace {

class ManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (bridge, netns, nftables)";
    int pid = ::getpid();
    o_.bridge = fmt::format("bm{}", pid);
    o_.bip = fmt::format("10.{}.{}.1/24", 250 + pid % 4, (pid / 4) % 256);
    o_.table = "berth_" + o_.bridge;
    char tmpl[] = "/tmp/berth-mt-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    o_.state_dir = dir_ + "/network";
    o_.netns_dir = dir_ + "/netns";
    auto m = Manager::Open(o_);
    ASSERT_TRUE(m.ok()) << m.error().message();
    m_ = std::move(*m);
  }
  void TearDown() override {
    if (m_) {
      for (const auto& id : attached_) m_->Detach(id);
      m_->Close();
      m_.reset();
    }
    if (!o_.bridge.empty() && ::geteuid() == 0) {
      // Whatever a failed test left behind.
      Nft nft;
      (void)nft.Run(DeleteTableScript(o_.table));
      if (auto nl = Netlink::Open(); nl.ok()) (void)nl->DeleteLink(o_.bridge);
    }
    if (!dir_.empty()) (void)fs::RemoveAll(dir_);
  }
  Endpoint Attach(const std::string& id) {
    AttachRequest r;
    r.container_id = id;
    r.container_name = "c" + id.substr(0, 4);
    auto e = m_->Attach(r);
    EXPECT_TRUE(e.ok()) << e.error().message();
    attached_.push_back(id);
    return e.ok() ? *e : Endpoint{};
  }

  ManagerOptions o_;
  std::string dir_;
  std::unique_ptr<Manager> m_;
  std::vector<std::string> attached_;
};

// The engine's keep() takes its own locks, which another thread may hold
// while it detaches (an exit during restore): the manager must not hold
// its lock while keep() runs.
TEST_F(ManagerTest, PruneCallsKeepWithoutItsLock) {
  std::string a(64, 'a'), b(64, 'b');
  Attach(a);
  Attach(b);
  bool other_thread_done = false;
  std::future<void> other;  // outlives Prune: waited for after it, not in keep()
  m_->Prune([&](const std::string& id) {
    if (id != a) return true;
    // Another thread detaches b (as OnContainerExit does) while keep()
    // waits for it, as it would on the engine's mutex.
    other = std::async(std::launch::async, [&] { m_->Detach(b); });
    other_thread_done = other.wait_for(std::chrono::seconds(3)) == std::future_status::ready;
    return false;  // a is gone
  });
  other.wait();
  EXPECT_TRUE(other_thread_done) << "Detach from another thread blocked while keep() ran";
  EXPECT_FALSE(m_->Get(a).has_value());
  EXPECT_FALSE(m_->Get(b).has_value());
  auto left = fs::ListDir(o_.netns_dir);
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

}  // namespace
}  // namespace berth::network

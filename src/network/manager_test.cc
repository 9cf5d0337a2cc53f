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

// Two networks: a container on both gets eth0 (default route, ports) and
// eth1; Peers answers by name, short ID and alias on the shared
// user-defined network only; rm is refused while the endpoint lives.
TEST_F(ManagerTest, UserNetworkEndpointsAndPeers) {
  int pid = ::getpid();
  NetworkSpec spec;
  spec.name = "mt-user";
  spec.subnet = *ParseSubnet(fmt::format("10.{}.{}.0/24", 246 + pid % 4, (pid / 4) % 256));
  spec.options["com.docker.network.bridge.name"] = fmt::format("bu{}", pid);
  auto n = m_->CreateNetwork(spec);
  ASSERT_TRUE(n.ok()) << n.error().message();
  EXPECT_EQ(m_->CreateNetwork(spec).error().code(), Code::kConflict);
  std::string a(64, 'a'), b(64, 'b'), c(64, 'c');
  auto req = [&](const std::string& id, const std::string& name, const std::string& net) {
    AttachRequest r;
    r.container_id = id;
    r.container_name = name;
    r.network = net;
    if (id == b && !net.empty()) r.aliases = {"db"};
    return r;
  };
  auto ea = m_->AttachAll({req(a, "web", ""), req(a, "web", "mt-user")});
  ASSERT_TRUE(ea.ok()) << ea.error().message();
  attached_.push_back(a);
  ASSERT_EQ(ea->size(), 2u);
  EXPECT_EQ((*ea)[0].iface, "eth0");
  EXPECT_TRUE((*ea)[0].default_route);
  EXPECT_EQ((*ea)[1].iface, "eth1");
  EXPECT_FALSE((*ea)[1].default_route);
  EXPECT_TRUE(spec.subnet->Contains((*ea)[1].ip));
  auto eb = m_->AttachAll({req(b, "store", "mt-user")});
  ASSERT_TRUE(eb.ok()) << eb.error().message();
  attached_.push_back(b);
  auto ec = m_->AttachAll({req(c, "loner", "")});  // default bridge only
  ASSERT_TRUE(ec.ok()) << ec.error().message();
  attached_.push_back(c);

  EXPECT_EQ(m_->Peers(a, "store"), std::vector<Ipv4>{(*eb)[0].ip});
  EXPECT_EQ(m_->Peers(a, "DB."), std::vector<Ipv4>{(*eb)[0].ip});
  EXPECT_EQ(m_->Peers(a, b.substr(0, 12)), std::vector<Ipv4>{(*eb)[0].ip});
  EXPECT_EQ(m_->Peers(b, "web"), std::vector<Ipv4>{(*ea)[1].ip});
  EXPECT_TRUE(m_->Peers(c, "web").empty()) << "the default bridge resolves no names";
  EXPECT_TRUE(m_->Peers(a, "loner").empty());
  EXPECT_TRUE(m_->Peers(a, "nosuch").empty());

  EXPECT_EQ(m_->RemoveNetwork("mt-user").error().code(), Code::kPermissionDenied);
  ASSERT_TRUE(m_->Detach(a, n->id).ok());
  EXPECT_EQ(m_->Endpoints(a).size(), 1u);
  m_->DetachAll(b);
  EXPECT_TRUE(m_->RemoveNetwork(n->id).ok());
  EXPECT_FALSE(m_->FindNetwork("mt-user").ok());
}

}  // namespace
}  // namespace berth::network

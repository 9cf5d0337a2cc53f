// The embedded store's durability: restarts, torn log tails, snapshots.
#include "discovery/embedded_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "discovery/store_test_impls.h"

namespace berth::discovery {
namespace {

using namespace std::chrono_literals;

class EmbeddedDurabilityTest : public ::testing::Test {
 protected:
  std::unique_ptr<EmbeddedStore> Open(size_t snapshot_bytes = 8u << 20) {
    EmbeddedStore::Options o;
    o.dir = fs::Join(tmp_.path(), "discovery");
    o.snapshot_bytes = snapshot_bytes;
    auto s = EmbeddedStore::Open(o);
    EXPECT_TRUE(s.ok()) << s.error().message();
    return s.ok() ? std::move(*s) : nullptr;
  }
  std::string LogPath() const { return fs::Join(tmp_.path(), "discovery/log.jsonl"); }
  TempDir tmp_;
};

TEST_F(EmbeddedDurabilityTest, SurvivesReopen) {
  uint64_t idx;
  {
    auto s = Open();
    ASSERT_TRUE(*s->KvPut({"a", "1", 7}));
    ASSERT_TRUE(*s->KvPut({"b/c", "2"}));
    ASSERT_TRUE(*s->KvDelete("a", false));
    Service svc;
    svc.name = "web";
    ASSERT_TRUE(s->Register(svc).ok());
    idx = *s->Index({WatchTarget::Kind::kPrefix, ""});
  }
  auto s = Open();
  EXPECT_EQ(s->replayed(), 4u);
  EXPECT_TRUE(s->KvGet("a", false)->entries.empty());
  EXPECT_EQ(s->KvGet("b/c", false)->entries.at(0).value, "2");
  EXPECT_EQ(s->GetService("web")->name, "web");
  EXPECT_EQ(*s->Index({WatchTarget::Kind::kPrefix, ""}), idx);
  // Indexes go on growing from where they were: a watcher that saw idx
  // before the restart is woken by the next write.
  std::atomic<uint64_t> got{0};
  std::thread w([&] {
    got = *s->Wait({WatchTarget::Kind::kPrefix, "b/"}, idx, Store::Clock::now() + 10s);
  });
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(*s->KvPut({"b/d", "3"}));
  w.join();
  EXPECT_GT(got.load(), idx);
}

TEST_F(EmbeddedDurabilityTest, TornTailIsCutOff) {
  {
    auto s = Open();
    ASSERT_TRUE(*s->KvPut({"a", "1"}));
    ASSERT_TRUE(*s->KvPut({"b", "2"}));
  }
  // A crash in the middle of the third record's write.
  {
    int fd = ::open(LogPath().c_str(), O_WRONLY | O_APPEND);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, "{\"i\":3,\"ops\":[{\"op\":\"se", 23), 23);
    ::close(fd);
  }
  auto size_before = fs::ReadFile(LogPath())->size();
  {
    auto s = Open();
    EXPECT_TRUE(s->truncated_tail());
    EXPECT_EQ(s->KvGet("b", false)->entries.at(0).value, "2");
    ASSERT_TRUE(*s->KvPut({"c", "3"}));
  }
  EXPECT_LT(fs::ReadFile(LogPath())->size(), size_before + 60);
  auto s = Open();
  EXPECT_FALSE(s->truncated_tail());
  EXPECT_EQ(s->KvGet("c", false)->entries.at(0).value, "3");
  EXPECT_EQ(s->replayed(), 3u);
}

TEST_F(EmbeddedDurabilityTest, LogCutAtEveryByteReplaysAPrefix) {
  {
    auto s = Open();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(*s->KvPut({"k" + std::to_string(i), "v"}));
  }
  std::string full = *fs::ReadFile(LogPath());
  for (size_t cut = 0; cut < full.size(); cut += 7) {
    ASSERT_TRUE(fs::AtomicWrite(LogPath(), full.substr(0, cut), 0600, false).ok());
    auto s = Open();
    ASSERT_NE(s, nullptr) << "cut at " << cut;
    size_t lines = std::count(full.begin(), full.begin() + cut, '\n');
    EXPECT_EQ(s->KvGet("k", true)->entries.size(), lines) << "cut at " << cut;
  }
}

TEST_F(EmbeddedDurabilityTest, DamagedMiddleIsAnError) {
  {
    auto s = Open();
    ASSERT_TRUE(*s->KvPut({"a", "1"}));
    ASSERT_TRUE(*s->KvPut({"b", "2"}));
  }
  std::string full = *fs::ReadFile(LogPath());
  full[3] = '#';
  ASSERT_TRUE(fs::AtomicWrite(LogPath(), full, 0600, false).ok());
  EmbeddedStore::Options o;
  o.dir = fs::Join(tmp_.path(), "discovery");
  auto s = EmbeddedStore::Open(o);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("damaged"), std::string::npos) << s.error().message();
}

TEST_F(EmbeddedDurabilityTest, SnapshotsBoundTheLog) {
  {
    auto s = Open(2048);
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(*s->KvPut({"k/" + std::to_string(i), "value"}));
    ASSERT_TRUE(*s->KvDelete("k/7", false));
  }
  EXPECT_LT(fs::ReadFile(LogPath())->size(), 2048u + 200);
  EXPECT_TRUE(fs::Exists(fs::Join(tmp_.path(), "discovery/snapshot.json")));
  auto s = Open(2048);
  EXPECT_EQ(s->KvGet("k/", true)->entries.size(), 199u);
}

TEST_F(EmbeddedDurabilityTest, TtlKeepsRunningAcrossRestart) {
  {
    auto s = Open();
    Service svc;
    svc.name = "t";
    Check c;
    c.ttl_ms = 400;
    c.status = "passing";
    svc.checks.push_back(c);
    ASSERT_TRUE(s->Register(svc).ok());
  }
  auto s = Open();
  EXPECT_TRUE(s->GetService("t")->Passing());
  auto deadline = Store::Clock::now() + 10s;
  while (s->GetService("t")->Passing() && Store::Clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(s->GetService("t")->checks.at(0).status, kCritical);
}

}  // namespace
}  // namespace berth::discovery

#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/fs.h"
#include "volume/volume.h"

namespace berth::volume {
namespace {

struct FakeMounts {
  std::map<std::string, std::string> mounted;  // target → "type device data"
  int mounts = 0, unmounts = 0;
};

class FakeMounter : public Mounter {
 public:
  explicit FakeMounter(FakeMounts* m) : m_(m) {}
  Status Mount(const std::string& source, const std::string& target, const std::string& type,
               unsigned long, const std::string& data) override {
    m_->mounted[target] = type + " " + source + " " + data;
    m_->mounts++;
    return Ok();
  }
  Status Unmount(const std::string& target) override {
    m_->mounted.erase(target);
    m_->unmounts++;
    return Ok();
  }
  bool IsMounted(const std::string& target) override { return m_->mounted.count(target) > 0; }

 private:
  FakeMounts* m_;
};

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/volume-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { (void)fs::RemoveAll(dir_); }
  std::unique_ptr<Store> Open() {
    auto s = Store::Open(dir_, std::make_unique<FakeMounter>(&mounts_));
    EXPECT_TRUE(s.ok()) << s.error().message();
    return std::move(*s);
  }
  std::string dir_;
  FakeMounts mounts_;
};

TEST_F(StoreTest, CreatePersistsAndReopens) {
  {
    auto s = Open();
    auto v = s->Create("data", {{"a", "b"}}, {});
    ASSERT_TRUE(v.ok()) << v.error().message();
    EXPECT_EQ(v->mountpoint, dir_ + "/data/_data");
    EXPECT_TRUE(fs::IsDir(v->mountpoint));
    EXPECT_FALSE(v->anonymous);
    auto anon = s->Create("", {}, {}, true, true);
    ASSERT_TRUE(anon.ok());
    EXPECT_EQ(anon->name.size(), 64u);
    EXPECT_TRUE(anon->anonymous);
  }
  auto s = Open();
  auto vs = s->List();
  ASSERT_EQ(vs.size(), 2u);
  auto v = s->Get("data");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->labels.at("a"), "b");
  nlohmann::json j = ToJson(*v);
  EXPECT_EQ(j["Driver"], "local");
  EXPECT_EQ(j["Options"], nlohmann::json::object());
  EXPECT_EQ(j["Labels"]["a"], "b");
}

TEST_F(StoreTest, CreateIsIdempotentAndChecksNames) {
  auto s = Open();
  ASSERT_TRUE(s->Create("x1", {{"k", "1"}}, {}).ok());
  auto again = s->Create("x1", {{"k", "2"}}, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->labels.at("k"), "1");
  auto bad = s->Create("a/b", {}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("includes invalid characters for a local volume name"),
            std::string::npos);
  EXPECT_FALSE(s->Create("x", {}, {}).ok());  // one character: too short for Docker's rule
  auto opt = s->Create("yy", {}, {{"foo", "bar"}});
  ASSERT_FALSE(opt.ok());
  EXPECT_EQ(opt.error().message(), "invalid option: \"foo\"");
}

TEST_F(StoreTest, UnfinishedCreateAndTrashAreSwept) {
  ASSERT_TRUE(fs::MkdirAll(dir_ + "/half/_data").ok());
  ASSERT_TRUE(fs::MkdirAll(dir_ + "/.trash/old-1234/_data").ok());
  ASSERT_TRUE(fs::MkdirAll(dir_ + "/.new-0123456789abcdef/_data").ok());
  auto s = Open();
  EXPECT_TRUE(s->List().empty());
  EXPECT_FALSE(fs::Exists(dir_ + "/half"));
  EXPECT_FALSE(fs::Exists(dir_ + "/.new-0123456789abcdef"));
  EXPECT_FALSE(fs::Exists(dir_ + "/.trash"));
}

TEST_F(StoreTest, CreateMakesTheVolumeAsideAndRenamesItIn) {
  auto s = Open();
  ASSERT_TRUE(s->Create("made", {}, {}).ok());
  ASSERT_TRUE(s->Create("", {}, {}).ok());
  auto names = fs::ListDir(dir_);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->size(), 2u);  // the two volumes, no .new- left
  for (const std::string& n : *names) {
    EXPECT_NE(n[0], '.') << n;
    EXPECT_TRUE(fs::Exists(dir_ + "/" + n + "/volume.json")) << n;
    EXPECT_TRUE(fs::IsDir(dir_ + "/" + n + "/_data")) << n;
  }
}

TEST_F(StoreTest, CopyUpFillsAnEmptyVolumeOnly) {
  std::string src = dir_ + "-src";
  ASSERT_TRUE(fs::MkdirAll(src + "/sub").ok());
  ASSERT_TRUE(fs::AtomicWrite(src + "/sub/f", "image").ok());
  auto s = Open();
  auto v = s->Create("cu", {}, {});
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(s->CopyUp("cu", src).ok());
  EXPECT_EQ(*fs::ReadFile(v->mountpoint + "/sub/f"), "image");
  EXPECT_FALSE(s->Get("cu")->copy_up_pending);
  // Not empty any more: a second copy-up leaves it alone.
  ASSERT_TRUE(fs::AtomicWrite(src + "/g", "later").ok());
  ASSERT_TRUE(s->CopyUp("cu", src).ok());
  EXPECT_FALSE(fs::Exists(v->mountpoint + "/g"));
  (void)fs::RemoveAll(src);
}

TEST_F(StoreTest, CopyUpThatDidNotFinishIsFinishedAtNextUse) {
  std::string src = dir_ + "-src";
  ASSERT_TRUE(fs::MkdirAll(src + "/sub").ok());
  ASSERT_TRUE(fs::AtomicWrite(src + "/sub/f", "complete content").ok());
  ASSERT_TRUE(fs::AtomicWrite(src + "/z", "last").ok());
  std::string mountpoint;
  {
    auto s = Open();
    auto v = s->Create("cu", {}, {});
    ASSERT_TRUE(v.ok());
    mountpoint = v->mountpoint;
  }
  // berthd was killed during a copy-up: the record says so, half a file
  // and not all entries are there.
  std::string record = dir_ + "/cu/volume.json";
  auto j = nlohmann::json::parse(*fs::ReadFile(record));
  j["CopyUpPending"] = true;
  ASSERT_TRUE(fs::AtomicWrite(record, j.dump()).ok());
  ASSERT_TRUE(fs::MkdirAll(mountpoint + "/sub").ok());
  ASSERT_TRUE(fs::AtomicWrite(mountpoint + "/sub/f", "compl").ok());
  {
    auto s = Open();
    EXPECT_TRUE(s->Get("cu")->copy_up_pending);
    ASSERT_TRUE(s->CopyUp("cu", src).ok());
    EXPECT_FALSE(s->Get("cu")->copy_up_pending);
  }
  EXPECT_EQ(*fs::ReadFile(mountpoint + "/sub/f"), "complete content");
  EXPECT_EQ(*fs::ReadFile(mountpoint + "/z"), "last");
  auto s = Open();
  EXPECT_FALSE(s->Get("cu")->copy_up_pending);  // durable
  (void)fs::RemoveAll(src);
}

TEST_F(StoreTest, RemoveDeletesContent) {
  auto s = Open();
  auto v = s->Create("gone", {}, {});
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(fs::AtomicWrite(v->mountpoint + "/f", "x").ok());
  EXPECT_EQ(s->Size("gone"), 1);
  ASSERT_TRUE(s->Remove("gone").ok());
  EXPECT_FALSE(fs::Exists(dir_ + "/gone"));
  auto missing = s->Remove("gone");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Code::kNotFound);
  EXPECT_EQ(missing.error().message(), "get gone: no such volume");
}

TEST_F(StoreTest, OptionsVolumeMountsOnFirstUserAndUnmountsOnLast) {
  auto s = Open();
  auto v = s->Create("tmp", {}, {{"type", "tmpfs"}, {"device", "tmpfs"}, {"o", "size=1m,nosuid"}});
  ASSERT_TRUE(v.ok()) << v.error().message();
  ASSERT_TRUE(s->Acquire("tmp", "c1").ok());
  ASSERT_TRUE(s->Acquire("tmp", "c2").ok());
  ASSERT_TRUE(s->Acquire("tmp", "c2").ok());  // idempotent
  EXPECT_EQ(mounts_.mounts, 1);
  EXPECT_EQ(mounts_.mounted[v->mountpoint], "tmpfs tmpfs size=1m");
  EXPECT_EQ(s->Remove("tmp").error().code(), Code::kConflict);
  s->Release("tmp", "c1");
  EXPECT_EQ(mounts_.unmounts, 0);
  s->Release("tmp", "c2");
  EXPECT_EQ(mounts_.unmounts, 1);
  EXPECT_TRUE(mounts_.mounted.empty());
}

TEST_F(StoreTest, RestoreKeepsHeldMountsAndSweepsTheRest) {
  auto s = Open();
  ASSERT_TRUE(s->Create("a1", {}, {{"type", "tmpfs"}, {"device", "tmpfs"}}).ok());
  ASSERT_TRUE(s->Create("b1", {}, {{"type", "tmpfs"}, {"device", "tmpfs"}}).ok());
  ASSERT_TRUE(s->Acquire("a1", "c1").ok());
  ASSERT_TRUE(s->Acquire("b1", "c2").ok());
  s.reset();  // berthd dies; the mounts stay
  auto r = Open();
  r->BeginRestore();
  r->Hold("a1", "c1");       // still running
  r->Release("b1", "c2");    // exited while berthd was down
  EXPECT_EQ(mounts_.mounted.size(), 2u);
  r->EndRestore();
  EXPECT_EQ(mounts_.mounted.size(), 1u);
  EXPECT_EQ(r->Users("a1").size(), 1u);
  r->Release("a1", "c1");
  EXPECT_TRUE(mounts_.mounted.empty());
}

}  // namespace
}  // namespace berth::volume

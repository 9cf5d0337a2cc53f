#include "image/content_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <thread>

#include "base/fs.h"

namespace berth::image {
namespace {

class ContentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-content-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = ContentStore::Open(dir_ + "/content");
    ASSERT_TRUE(s.ok()) << s.error().message();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    ASSERT_TRUE(fs::RemoveAll(dir_).ok());
  }
  std::vector<std::string> Ingest() {
    auto names = fs::ListDir(dir_ + "/content/ingest");
    EXPECT_TRUE(names.ok());
    return names.ok() ? *names : std::vector<std::string>{};
  }

  std::string dir_;
  std::unique_ptr<ContentStore> store_;
};

TEST_F(ContentStoreTest, WriteCommitRead) {
  auto w = store_->NewWriter();
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write("hello ").ok());
  ASSERT_TRUE((*w)->Write("world").ok());
  EXPECT_EQ((*w)->size(), 11u);
  const Digest want = Sha256Of("hello world");
  auto d = (*w)->Commit(want, 11);
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_EQ(*d, want);
  EXPECT_TRUE(Ingest().empty());

  EXPECT_TRUE(store_->Has(want));
  EXPECT_EQ(*store_->Size(want), 11);
  EXPECT_EQ(*store_->ReadAll(want), "hello world");
  EXPECT_EQ(store_->BlobPath(want), dir_ + "/content/blobs/sha256/" + want.hex());
  struct stat st;
  ASSERT_EQ(stat(store_->BlobPath(want).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0444u);

  auto fd = store_->Open(want);
  ASSERT_TRUE(fd.ok());
  EXPECT_EQ(*fs::ReadFd(fd->get()), "hello world");
  // A second commit on a finished writer is refused.
  EXPECT_FALSE((*w)->Commit().ok());
  EXPECT_FALSE((*w)->Write("x").ok());
}

TEST_F(ContentStoreTest, DigestMismatchLeavesNothing) {
  const Digest want = Sha256Of("expected");
  auto w = store_->NewWriter();
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write("tampered").ok());
  auto d = (*w)->Commit(want);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code(), Code::kInvalidArgument);
  EXPECT_EQ(d.error().message(),
            "digest mismatch: expected " + want.str() + ", got " + Sha256Of("tampered").str());
  EXPECT_TRUE(Ingest().empty());
  EXPECT_FALSE(store_->Has(want));
  EXPECT_FALSE(store_->Has(Sha256Of("tampered")));
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(ContentStoreTest, SizeMismatch) {
  auto d = store_->WriteBlob("abc");
  ASSERT_TRUE(d.ok());
  auto w = store_->NewWriter();
  ASSERT_TRUE((*w)->Write("abc").ok());
  auto r = (*w)->Commit(*d, 4);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "size mismatch: expected 4 bytes, got 3");
  EXPECT_TRUE(Ingest().empty());
}

TEST_F(ContentStoreTest, WriterDestroyedWithoutCommitRemovesIngest) {
  {
    auto w = store_->NewWriter();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write("partial").ok());
    EXPECT_EQ(Ingest().size(), 1u);
  }
  EXPECT_TRUE(Ingest().empty());
  EXPECT_TRUE(store_->List()->empty());
}

TEST_F(ContentStoreTest, ExistingBlobIsFine) {
  auto a = store_->WriteBlob("same");
  auto b = store_->WriteBlob("same", Sha256Of("same"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(store_->List()->size(), 1u);
  EXPECT_TRUE(Ingest().empty());
}

TEST_F(ContentStoreTest, ConcurrentWritersOfTheSameBlob) {
  std::string data(1 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 4096);
  const Digest want = Sha256Of(data);
  constexpr int kWriters = 8;
  std::vector<std::thread> threads;
  std::vector<int> ok(kWriters, 0);
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      auto w = store_->NewWriter();
      if (!w.ok()) return;
      for (size_t off = 0; off < data.size(); off += 65536)
        if (!(*w)->Write(std::string_view(data).substr(off, 65536)).ok()) return;
      auto d = (*w)->Commit(want, static_cast<int64_t>(data.size()));
      ok[t] = d.ok() && *d == want;
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kWriters; ++t) EXPECT_TRUE(ok[t]) << "writer " << t;
  EXPECT_EQ(*store_->List(), std::vector<Digest>{want});
  EXPECT_EQ(*store_->ReadAll(want), data);
  EXPECT_TRUE(Ingest().empty());
}

TEST_F(ContentStoreTest, SweepRemovesLeftoversButNotLiveWriters) {
  ASSERT_TRUE(fs::AtomicWrite(dir_ + "/content/ingest/0123abcd", "crashed write").ok());
  auto live = store_->NewWriter();
  ASSERT_TRUE(live.ok());
  ASSERT_TRUE((*live)->Write("in progress").ok());
  auto n = store_->SweepIngest();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(Ingest().size(), 1u);
  ASSERT_TRUE((*live)->Commit(Sha256Of("in progress")).ok());
  EXPECT_TRUE(Ingest().empty());

  // A fresh store over the same root (a restart) sweeps everything left.
  ASSERT_TRUE(fs::AtomicWrite(dir_ + "/content/ingest/feed", "x").ok());
  auto again = ContentStore::Open(dir_ + "/content");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*(*again)->SweepIngest(), 1);
  EXPECT_TRUE((*again)->Has(Sha256Of("in progress")));
}

TEST_F(ContentStoreTest, MissingAndDelete) {
  const Digest d = Sha256Of("nope");
  EXPECT_FALSE(store_->Has(d));
  EXPECT_EQ(store_->Size(d).error().code(), Code::kNotFound);
  EXPECT_EQ(store_->Open(d).error().code(), Code::kNotFound);
  auto r = store_->ReadAll(d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "blob " + d.str() + ": not found");
  EXPECT_EQ(store_->Delete(d).error().code(), Code::kNotFound);

  auto a = store_->WriteBlob("a");
  auto b = store_->WriteBlob("b");
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<Digest> both{*a, *b};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(*store_->List(), both);
  ASSERT_TRUE(store_->Delete(*a).ok());
  EXPECT_FALSE(store_->Has(*a));
  EXPECT_EQ(*store_->List(), std::vector<Digest>{*b});
}

TEST_F(ContentStoreTest, ReadAllDetectsCorruptionAndSize) {
  auto d = store_->WriteBlob("original");
  ASSERT_TRUE(d.ok());
  std::string path = store_->BlobPath(*d);
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  ASSERT_TRUE(fs::WriteFile(path, "modified").ok());
  auto r = store_->ReadAll(*d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "blob " + d->str() + " is corrupt: its content hashes to " +
                                     Sha256Of("modified").str());
  auto big = store_->WriteBlob(std::string(100, 'x'));
  ASSERT_TRUE(big.ok());
  EXPECT_FALSE(store_->ReadAll(*big, 99).ok());
  EXPECT_TRUE(store_->ReadAll(*big, 100).ok());
}

}  // namespace
}  // namespace berth::image

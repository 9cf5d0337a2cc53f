#include "registry/uploads.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <utime.h>

#include <atomic>
#include <thread>

#include "base/digest.h"
#include "base/fs.h"
#include "registry/test_util.h"

namespace berth::registry {
using testing::StringBody;

TEST(Uploads, ChunkedInOrderThenFinish) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  Uploads u(&s, std::chrono::seconds(3600));
  std::string id = *u.Start("a/b");
  EXPECT_TRUE(ValidUploadId(id));
  StringBody c1("hello ");
  EXPECT_EQ(*u.Append("a/b", id, c1, 0), 6u);
  StringBody bad("xx");
  EXPECT_EQ(u.Append("a/b", id, bad, 3).error().code(), Code::kConflict);
  EXPECT_EQ(*u.Size("a/b", id), 6u);
  StringBody c2("world");
  EXPECT_EQ(*u.Append("a/b", id, c2, 6), 11u);
  EXPECT_EQ(u.Size("other", id).error().code(), Code::kNotFound);  // bound to its repository
  Digest d = Sha256Of("hello world");
  ASSERT_TRUE(u.Finish("a/b", id, nullptr, d).ok());
  EXPECT_TRUE(s.HasLayer("a/b", d));
  EXPECT_EQ(u.Size("a/b", id).error().code(), Code::kNotFound);
  EXPECT_TRUE(fs::ListDir(s.UploadsDir())->empty());
}

TEST(Uploads, WrongDigestLeavesNothingVisible) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  Uploads u(&s, std::chrono::seconds(3600));
  std::string id = *u.Start("a");
  StringBody body("corrupted");
  Digest claimed = Sha256Of("original");
  Status st = u.Finish("a", id, &body, claimed);
  EXPECT_EQ(st.error().code(), Code::kInvalidArgument);
  EXPECT_TRUE(s.AllBlobs()->empty());
  EXPECT_FALSE(s.HasLayer("a", claimed));
  EXPECT_TRUE(fs::ListDir(s.UploadsDir())->empty());
}

TEST(Uploads, InterruptedChunkKeepsWhatArrivedAndResumes) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  Uploads u(&s, std::chrono::seconds(3600));
  std::string id = *u.Start("a");
  StringBody broken("0123456789", 4);
  EXPECT_FALSE(u.Append("a", id, broken).ok());
  EXPECT_EQ(*u.Size("a", id), 4u);
  EXPECT_TRUE(s.AllBlobs()->empty());
  StringBody rest("456789");
  EXPECT_EQ(*u.Append("a", id, rest, 4), 10u);
  ASSERT_TRUE(u.Finish("a", id, nullptr, Sha256Of("0123456789")).ok());
}

TEST(Uploads, SurviveARestart) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  std::string id;
  {
    Uploads u(&s, std::chrono::seconds(3600));
    id = *u.Start("a");
    StringBody b("abc");
    ASSERT_TRUE(u.Append("a", id, b).ok());
  }
  Uploads again(&s, std::chrono::seconds(3600));
  EXPECT_EQ(*again.Size("a", id), 3u);
  StringBody b("def");
  ASSERT_TRUE(again.Finish("a", id, &b, Sha256Of("abcdef")).ok());
  EXPECT_TRUE(s.HasLayer("a", Sha256Of("abcdef")));
}

TEST(Uploads, SweepRemovesOnlyIdleUploads) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  Uploads u(&s, std::chrono::seconds(60));
  std::string old_id = *u.Start("a");
  std::string new_id = *u.Start("a");
  // Age the first upload by two minutes.
  std::string dir = s.UploadsDir() + "/" + old_id;
  struct utimbuf times = {time(nullptr) - 120, time(nullptr) - 120};
  ASSERT_EQ(utime((dir + "/data").c_str(), &times), 0);
  EXPECT_EQ(u.Sweep(), 1u);
  EXPECT_EQ(u.Size("a", old_id).error().code(), Code::kNotFound);
  EXPECT_TRUE(u.Size("a", new_id).ok());
}

// A body for Finish: signals that Finish holds the upload's lock, then waits
// until a concurrent PATCH is on its way, so that PATCH queues on the lock.
class GateBody : public http::BodyReader {
 public:
  GateBody(std::atomic<bool>* in_finish, const std::atomic<bool>* other_started)
      : in_finish_(in_finish), other_started_(other_started) {}
  Result<size_t> Read(char*, size_t) override {
    *in_finish_ = true;
    while (!other_started_->load()) std::this_thread::yield();
    for (int i = 0; i < 2000; ++i) std::this_thread::yield();  // widen the race window
    return size_t{0};
  }

 private:
  std::atomic<bool>* in_finish_;
  const std::atomic<bool>* other_started_;
};

// A PATCH that races a PUT (Finish) must never reach the committed blob: the
// stored blob always hashes to its digest, and the late PATCH finds no upload.
TEST(Uploads, ConcurrentAppendCannotAlterACommittedBlob) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  Uploads u(&s, std::chrono::seconds(3600));
  for (int i = 0; i < 100; ++i) {
    std::string content = "blob " + std::to_string(i);
    std::string id = *u.Start("a");
    StringBody first(content);
    ASSERT_TRUE(u.Append("a", id, first).ok());
    std::atomic<bool> in_finish{false}, started{false};
    GateBody gate(&in_finish, &started);
    Result<uint64_t> late = Error::Internal("not run");
    std::thread patch([&] {
      while (!in_finish.load()) std::this_thread::yield();
      started = true;
      StringBody extra(std::string(64, 'x'));
      late = u.Append("a", id, extra);
    });
    Digest d = Sha256Of(content);
    Status done = u.Finish("a", id, &gate, d);
    patch.join();
    ASSERT_TRUE(done.ok()) << done.error().message();
    auto stored = fs::ReadFile(s.BlobPath(d));
    ASSERT_TRUE(stored.ok());
    ASSERT_EQ(*stored, content) << "iteration " << i << ": a PATCH after the PUT reached the blob";
    ASSERT_FALSE(late.ok()) << "iteration " << i;
    EXPECT_EQ(late.error().code(), Code::kNotFound);
  }
}

TEST(Uploads, UnknownIds) {
  testing::TempDir t;
  auto s = *Storage::Open(t.path);
  Uploads u(&s, std::chrono::seconds(60));
  EXPECT_EQ(u.Size("a", "../../etc").error().code(), Code::kNotFound);
  EXPECT_EQ(u.Cancel("a", NewUploadId()).error().code(), Code::kNotFound);
}

}  // namespace berth::registry

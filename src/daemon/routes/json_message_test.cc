#include "daemon/routes/json_message.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "base/strings.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

// Records what a route writes; Write fails once fail_after writes went out.
class FakeWriter : public http::ResponseWriter {
 public:
  int status = 0;
  std::string content_type, body;
  int starts = 0, writes = 0, fail_after = -1;

  http::Headers& headers() override { return headers_; }
  Status Send(int s, std::string_view b, std::string_view ct) override {
    status = s;
    body = b;
    content_type = ct;
    started_ = true;
    return Ok();
  }
  Status Start(int s, std::string_view ct) override {
    ++starts;
    status = s;
    content_type = ct;
    started_ = true;
    return Ok();
  }
  Status Write(std::string_view d) override {
    if (fail_after >= 0 && writes >= fail_after) return Error(Code::kUnavailable, "client gone");
    ++writes;
    body += d;
    return Ok();
  }
  Status Flush() override { return Ok(); }
  bool ClientGone() override { return false; }
  Result<http::Stream*> Hijack(std::string_view) override { return Error::Internal("no"); }
  bool started() const override { return started_; }

 private:
  http::Headers headers_;
  bool started_ = false;
};

TEST(JsonMessageWriter, StartsOnFirstMessageWithCrlfLines) {
  FakeWriter w;
  JsonMessageWriter out(w);
  EXPECT_FALSE(out.started());
  ASSERT_TRUE(out.Send({{"status", "Pulling"}}).ok());
  ASSERT_TRUE(out.Send({{"stream", "\xff"}}).ok());  // invalid UTF-8 is replaced, not thrown
  EXPECT_TRUE(out.started());
  ASSERT_TRUE(out.Finish(Ok()).ok());
  EXPECT_EQ(w.starts, 1);
  EXPECT_EQ(w.status, 200);
  EXPECT_EQ(w.content_type, "application/json");
  EXPECT_EQ(w.body, "{\"status\":\"Pulling\"}\r\n{\"stream\":\"\xef\xbf\xbd\"}\r\n");
}

TEST(JsonMessageWriter, ErrorBeforeOutputIsReturned) {
  FakeWriter w;
  JsonMessageWriter out(w);
  Status s = out.Finish(Error::NotFound("no such image"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), Code::kNotFound);
  EXPECT_FALSE(w.started());
}

TEST(JsonMessageWriter, ErrorAfterOutputGoesIntoTheStream) {
  FakeWriter w;
  JsonMessageWriter out(w);
  ASSERT_TRUE(out.Send({{"status", "x"}}).ok());
  ASSERT_TRUE(out.Finish(Error::Internal("boom")).ok());
  std::vector<std::string> lines = str::Split(w.body, '\n');
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(json::parse(lines[1]), (json{{"errorDetail", {{"message", "boom"}}}, {"error", "boom"}}));
}

TEST(JsonMessageWriter, ErrorWithCodeIsStreamedEvenBeforeOutput) {
  FakeWriter w;
  JsonMessageWriter out(w);
  ASSERT_TRUE(out.Finish(Error::Internal("RUN failed"), 3).ok());
  EXPECT_EQ(json::parse(w.body)["errorDetail"]["code"], 3);
}

TEST(JsonMessageWriter, SuccessWithoutOutputIsAnEmpty200) {
  FakeWriter w;
  JsonMessageWriter out(w);
  ASSERT_TRUE(out.Finish(Ok()).ok());
  EXPECT_EQ(w.status, 200);
  EXPECT_EQ(w.body, "");
}

TEST(JsonMessageWriter, WriteFailureStopsLaterMessages) {
  FakeWriter w;
  w.fail_after = 1;
  JsonMessageWriter out(w);
  ASSERT_TRUE(out.Send({{"status", "a"}}).ok());
  EXPECT_FALSE(out.Send({{"status", "b"}}).ok());
  EXPECT_FALSE(out.Send({{"status", "c"}}).ok());
  EXPECT_EQ(w.writes, 1);
  EXPECT_FALSE(out.Finish(Ok()).ok());
}

TEST(JsonMessageWriter, ThreadsWriteWholeLines) {
  FakeWriter w;
  JsonMessageWriter out(w);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) (void)out.Send({{"id", std::to_string(t)}, {"n", i}});
    });
  for (auto& t : threads) t.join();
  std::vector<std::string> lines = str::Split(w.body, '\n');
  ASSERT_EQ(lines.size(), 801u);
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    ASSERT_FALSE(lines[i].empty());
    EXPECT_EQ(lines[i].back(), '\r');
    EXPECT_FALSE(json::parse(lines[i], nullptr, false).is_discarded()) << lines[i];
  }
  EXPECT_EQ(w.starts, 1);
}

}  // namespace
}  // namespace berth::daemon

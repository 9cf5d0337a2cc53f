#include "daemon/events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace berth::daemon {
namespace {

using namespace std::chrono_literals;

Event ImageEvent(std::string action, std::string id, int64_t t = 0) {
  Event e;
  e.type = "image";
  e.action = std::move(action);
  e.actor_id = std::move(id);
  e.attributes["name"] = "busybox:latest";
  e.time_nano = t;
  return e;
}

TEST(EventsTest, JsonShape) {
  Event e = ImageEvent("tag", "sha256:abc", 1700000000123456789);
  auto j = nlohmann::json::parse(EventToJson(e));
  EXPECT_EQ(j["status"], "tag");
  EXPECT_EQ(j["id"], "sha256:abc");
  EXPECT_FALSE(j.contains("from"));
  EXPECT_EQ(j["Type"], "image");
  EXPECT_EQ(j["Action"], "tag");
  EXPECT_EQ(j["Actor"]["ID"], "sha256:abc");
  EXPECT_EQ(j["Actor"]["Attributes"]["name"], "busybox:latest");
  EXPECT_EQ(j["scope"], "local");
  EXPECT_EQ(j["time"], 1700000000);
  EXPECT_EQ(j["timeNano"], 1700000000123456789);
}

TEST(EventsTest, FilterMatching) {
  Event e = ImageEvent("untag", "sha256:0123456789abcdef");
  e.attributes["maintainer"] = "me";
  auto match = [&](const char* json) { return MatchEvent(*Filters::Parse(json), e); };
  EXPECT_TRUE(match("{}"));
  EXPECT_TRUE(match(R"({"type":["image"]})"));
  EXPECT_FALSE(match(R"({"type":["container"]})"));
  EXPECT_TRUE(match(R"({"event":["tag","untag"]})"));
  EXPECT_FALSE(match(R"({"event":["delete"]})"));
  EXPECT_TRUE(match(R"({"image":["busybox"]})"));
  EXPECT_TRUE(match(R"({"image":["busybox:latest"]})"));
  EXPECT_TRUE(match(R"({"image":["0123456789ab"]})"));
  EXPECT_FALSE(match(R"({"image":["alpine"]})"));
  EXPECT_TRUE(match(R"({"label":["maintainer=me"]})"));
  EXPECT_FALSE(match(R"({"label":["maintainer=you"]})"));
  EXPECT_FALSE(match(R"({"container":["x"]})"));
}

TEST(EventsTest, SinceReplaysHistoryAndCursorSeesNewEvents) {
  EventBus bus;
  bus.Publish(ImageEvent("pull", "a", 100));
  bus.Publish(ImageEvent("tag", "b", 200));
  std::vector<Event> past;
  auto cursor = bus.Subscribe(150, &past);
  ASSERT_EQ(past.size(), 1u);
  EXPECT_EQ(past[0].actor_id, "b");
  EXPECT_EQ(bus.Listeners(), 1u);

  std::thread pub([&] {
    std::this_thread::sleep_for(20ms);
    bus.Publish(ImageEvent("delete", "c"));
  });
  bool closed = false;
  std::vector<Event> got;
  for (int i = 0; i < 50 && got.empty(); ++i) got = cursor->Wait(200ms, &closed);
  pub.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].actor_id, "c");
  EXPECT_GT(got[0].time_nano, 0);
  EXPECT_FALSE(closed);

  bus.Close();
  EXPECT_TRUE(cursor->Wait(10s, &closed).empty());
  EXPECT_TRUE(closed);
  cursor.reset();
  EXPECT_EQ(bus.Listeners(), 0u);
}

TEST(EventsTest, SlowCursorSkipsWhatFellOutOfTheRing) {
  EventBus bus;
  auto cursor = bus.Subscribe(INT64_MAX, nullptr);
  for (size_t i = 0; i < EventBus::kHistory + 10; ++i)
    bus.Publish(ImageEvent("tag", std::to_string(i)));
  bool closed = false;
  auto got = cursor->Wait(0ms, &closed);
  ASSERT_EQ(got.size(), EventBus::kHistory);
  EXPECT_EQ(got.front().actor_id, "10");
  EXPECT_TRUE(cursor->Wait(0ms, &closed).empty());
}

}  // namespace
}  // namespace berth::daemon

#include "cli/progress.h"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

using nlohmann::json;

TEST(Progress, PlainLinesWithoutTerminal) {
  std::string out;
  ProgressDisplay d([&](std::string_view s) { out += s; }, false);
  ASSERT_TRUE(d.Show(json{{"status", "Pulling from x"}, {"id", "latest"}}).ok());
  ASSERT_TRUE(d.Show(json{{"status", "Pulling fs layer"}, {"progressDetail", json::object()}, {"id", "abc"}}).ok());
  ASSERT_TRUE(d.Show(json{{"status", "Downloading"}, {"progressDetail", {{"current", 5}, {"total", 10}}}, {"id", "abc"}}).ok());
  ASSERT_TRUE(d.Show(json{{"status", "Pull complete"}, {"progressDetail", json::object()}, {"id", "abc"}}).ok());
  ASSERT_TRUE(d.Show(json{{"progressDetail", json::object()}, {"aux", {{"Tag", "1"}}}}).ok());
  ASSERT_TRUE(d.Show(json{{"status", "Digest: sha256:x"}}).ok());
  EXPECT_EQ(out, "latest: Pulling from x\nabc: Pulling fs layer\nabc: Pull complete\nDigest: sha256:x\n");
}

TEST(Progress, TerminalRedrawsLinesInPlace) {
  std::string out;
  ProgressDisplay d([&](std::string_view s) { out += s; }, true, 200);
  ASSERT_TRUE(d.Show(json{{"status", "Pulling fs layer"}, {"progressDetail", json::object()}, {"id", "a"}}).ok());
  ASSERT_TRUE(d.Show(json{{"status", "Pulling fs layer"}, {"progressDetail", json::object()}, {"id", "b"}}).ok());
  out.clear();
  ASSERT_TRUE(d.Show(json{{"status", "Downloading"}, {"progressDetail", {{"current", 1000}, {"total", 2000}}}, {"id", "a"}}).ok());
  // Up two lines (a is the first of two), redraw, back down.
  EXPECT_EQ(out, "\x1b[2A\x1b[2K\ra: Downloading [=========================>                         ]      1kB/2kB\r\x1b[2B");
}

TEST(Progress, ErrorsBecomeErrors) {
  ProgressDisplay d([](std::string_view) {}, false);
  auto s = d.Show(json{{"errorDetail", {{"message", "boom"}}}, {"error", "boom"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "boom");
}

}  // namespace
}  // namespace berth::cli

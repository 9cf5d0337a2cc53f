#include "base/stdcopy.h"

#include <gtest/gtest.h>

namespace berth {
namespace {

std::string Frame(char stream, std::string_view payload) {
  uint32_t n = static_cast<uint32_t>(payload.size());
  std::string f = {stream, 0, 0, 0, static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                   static_cast<char>(n >> 8), static_cast<char>(n)};
  return f + std::string(payload);
}

TEST(StdDemux, FramesFedInAnyPieces) {
  std::string stream = Frame(1, "out one\n") + Frame(2, "err\n") + Frame(1, "") +
                       Frame(1, std::string(70000, 'x')) + Frame(1, "last\n");
  std::string want_out = "out one\n" + std::string(70000, 'x') + "last\n";
  for (size_t piece : {1u, 3u, 7u, 8u, 9u, 100u, 65536u, 1000000u}) {
    std::string out, err;
    int calls = 0;
    StdDemux d(
        [&](std::string_view s) {
          out.append(s);
          ++calls;
          return Ok();
        },
        [&](std::string_view s) {
          err.append(s);
          return Ok();
        });
    for (size_t pos = 0; pos < stream.size(); pos += piece)
      ASSERT_TRUE(d.Feed(std::string_view(stream).substr(pos, piece)).ok()) << piece;
    EXPECT_FALSE(d.Partial()) << piece;
    EXPECT_EQ(out, want_out) << piece;
    EXPECT_EQ(err, "err\n") << piece;
    EXPECT_EQ(calls, 4) << piece;  // one call per frame, whole payloads
  }
}

TEST(StdDemux, PartialAndErrorFrames) {
  std::string got;
  StdDemux d([&](std::string_view s) { got.append(s); return Ok(); },
             [&](std::string_view) { return Ok(); });
  std::string f = Frame(1, "abc");
  ASSERT_TRUE(d.Feed(f.substr(0, 5)).ok());
  EXPECT_TRUE(d.Partial());
  ASSERT_TRUE(d.Feed(f.substr(5)).ok());
  EXPECT_FALSE(d.Partial());
  EXPECT_EQ(got, "abc");
  auto st = d.Feed(Frame(3, "boom"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "boom");
  StdDemux bad([](std::string_view) { return Ok(); }, [](std::string_view) { return Ok(); });
  st = bad.Feed(Frame(7, "x"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().message(), "Unrecognized input header: 7");
}

}  // namespace
}  // namespace berth

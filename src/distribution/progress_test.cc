#include "distribution/progress.h"

#include <gtest/gtest.h>

#include <thread>

#include "distribution/pipe.h"

namespace berth::distribution {
namespace {

TEST(Progress, EmitterShapes) {
  std::vector<nlohmann::json> got;
  Emitter em([&](const nlohmann::json& j) { got.push_back(j); });
  em.Status("abc", "Pulling fs layer");
  em.Progress("abc", "Downloading", 5, 10);
  em.Status("", "Digest: sha256:x");
  em.Aux({{"Tag", "latest"}});
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].dump(), R"({"id":"abc","progressDetail":{},"status":"Pulling fs layer"})");
  EXPECT_EQ(got[1]["progressDetail"]["current"], 5);
  EXPECT_EQ(got[1]["progressDetail"]["total"], 10);
  EXPECT_FALSE(got[2].contains("id"));
  EXPECT_EQ(got[3]["aux"]["Tag"], "latest");
}

TEST(Pipe, CarriesBytesAndErrors) {
  BytePipe p(16);
  std::thread w([&] {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(p.Write("0123456789").ok());
    p.Close(Error::Invalid("digest mismatch"));
  });
  std::string got;
  char buf[7];
  for (;;) {
    auto n = p.Read(buf, sizeof buf);
    if (!n.ok()) {
      EXPECT_EQ(n.error().message(), "digest mismatch");
      break;
    }
    ASSERT_NE(*n, 0u);
    got.append(buf, *n);
  }
  w.join();
  EXPECT_EQ(got.size(), 1000u);
}

TEST(Pipe, AbandonUnblocksWriter) {
  BytePipe p(4);
  std::thread w([&] {
    Status s;
    for (int i = 0; i < 100 && s.ok(); ++i) s = p.Write("xxxx");
    EXPECT_FALSE(s.ok());
  });
  char b[2];
  ASSERT_TRUE(p.Read(b, 2).ok());
  p.Abandon();
  w.join();
}

}  // namespace
}  // namespace berth::distribution

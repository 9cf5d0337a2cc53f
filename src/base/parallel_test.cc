#include "base/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace berth {
namespace {

TEST(ParallelFor, RunsEveryIndexOnce) {
  std::vector<std::atomic<int>> hits(100);
  ASSERT_TRUE(ParallelFor(hits.size(), 4, [&](size_t i) {
                hits[i]++;
                return Ok();
              }).ok());
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ParallelFor, EmptyAndZeroWorkers) {
  EXPECT_TRUE(ParallelFor(0, 3, [](size_t) { return Status(Error::Internal("never")); }).ok());
  int ran = 0;  // workers < 1 runs on the caller's thread alone
  EXPECT_TRUE(ParallelFor(3, 0, [&](size_t) {
                ++ran;
                return Ok();
              }).ok());
  EXPECT_EQ(ran, 3);
}

TEST(ParallelFor, UsesAtMostWorkersThreads) {
  std::mutex mu;
  std::set<std::thread::id> ids;
  ASSERT_TRUE(ParallelFor(50, 3, [&](size_t) {
                std::lock_guard lock(mu);
                ids.insert(std::this_thread::get_id());
                return Ok();
              }).ok());
  EXPECT_LE(ids.size(), 3u);
  EXPECT_GE(ids.size(), 1u);
}

TEST(ParallelFor, FirstErrorWinsAndStopsNewJobs) {
  std::atomic<int> started{0};
  Status s = ParallelFor(1000, 1, [&](size_t i) -> Status {
    started++;
    if (i == 2) return Error::Invalid("job 2 failed");
    if (i == 3) return Error::Internal("job 3 failed");
    return Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "job 2 failed");
  EXPECT_EQ(started.load(), 3);  // one worker: nothing starts after the failure
}

TEST(ParallelFor, ErrorWithManyWorkersStopsEarly) {
  std::atomic<int> started{0};
  Status s = ParallelFor(100000, 4, [&](size_t i) -> Status {
    started++;
    return i == 0 ? Status(Error::Invalid("first")) : Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(), "first");
  EXPECT_LT(started.load(), 100000);
}

}  // namespace
}  // namespace berth

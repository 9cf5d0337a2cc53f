#include "base/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace berth {

Status ParallelFor(size_t n, int workers, const std::function<Status(size_t)>& fn) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first;  // guarded by mu
  auto worker = [&] {
    while (!failed) {
      size_t i = next++;
      if (i >= n) return;
      Status s = fn(i);
      if (!s.ok()) {
        std::lock_guard lock(mu);
        if (first.ok()) first = std::move(s);
        failed = true;
      }
    }
  };
  size_t count = std::min(n, static_cast<size_t>(std::max(1, workers)));
  std::vector<std::thread> threads;
  for (size_t i = 1; i < count; ++i) threads.emplace_back(worker);
  if (count > 0) worker();
  for (auto& t : threads) t.join();
  return first;
}

}  // namespace berth

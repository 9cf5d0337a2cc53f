#include "distribution/pipe.h"

#include <cstring>

namespace berth::distribution {

Status BytePipe::Write(std::string_view data) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return abandoned_ || buffered_ < capacity_; });
  if (abandoned_) return Error(Code::kUnavailable, "layer unpack stopped");
  chunks_.emplace_back(data);
  buffered_ += data.size();
  cv_.notify_all();
  return Ok();
}

void BytePipe::Close(Status status) {
  std::lock_guard lock(mu_);
  closed_ = true;
  status_ = std::move(status);
  cv_.notify_all();
}

void BytePipe::Abandon() {
  std::lock_guard lock(mu_);
  abandoned_ = true;
  chunks_.clear();
  buffered_ = 0;
  cv_.notify_all();
}

Result<size_t> BytePipe::Read(void* buf, size_t n) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !chunks_.empty() || closed_; });
  if (chunks_.empty()) {
    if (!status_.ok()) return status_.error();
    return size_t{0};
  }
  std::string& c = chunks_.front();
  size_t k = std::min(n, c.size() - head_off_);
  std::memcpy(buf, c.data() + head_off_, k);
  head_off_ += k;
  buffered_ -= k;
  if (head_off_ == c.size()) {
    chunks_.pop_front();
    head_off_ = 0;
  }
  cv_.notify_all();
  return k;
}

}  // namespace berth::distribution

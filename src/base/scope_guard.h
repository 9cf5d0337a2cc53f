// ScopeGuard: runs a callback on scope exit unless dismissed; used for
// multi-step rollback ("undo the mount if a later step fails").
#pragma once

#include <utility>

namespace berth {

template <typename F>
class ScopeGuard {
 public:
  explicit ScopeGuard(F f) : f_(std::move(f)) {}
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;
  ~ScopeGuard() {
    if (active_) f_();
  }
  void Dismiss() { active_ = false; }
  // Runs the callback now (once), not again on scope exit.
  void Run() {
    if (active_) f_();
    active_ = false;
  }

 private:
  F f_;
  bool active_ = true;
};

}  // namespace berth

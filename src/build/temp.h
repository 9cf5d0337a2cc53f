// Scratch files and directories of a build, removed when they go.
#pragma once

#include <memory>
#include <string>

#include "base/error.h"

namespace berth::build {

class TempDir {
 public:
  // mkdtemp(parent/prefixXXXXXX).
  static Result<std::unique_ptr<TempDir>> Create(const std::string& parent, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string p) : path_(std::move(p)) {}
  std::string path_;
};

// mkstemp(parent/prefixXXXXXX): the new (empty, closed) file's path.
Result<std::string> MakeTempFile(const std::string& parent, const std::string& prefix);

}  // namespace berth::build

// Content digests of files on the host, remembered by their identity and
// metadata, so a rebuild whose context files did not change reads none of
// them (local build contexts, context.h).
//
// A file's digest is reused while its device, inode, size, mode and
// modification time (ns) are what they were when it was hashed. The change
// time is not part of the key: hard-linking a context file into the build's
// scratch directory (what makes a local context cost nothing) changes it on
// every build. A file rewritten in place to the same size with its mtime
// set back is therefore not noticed; `build --no-cache` does not depend on
// this cache for correctness of content, only COPY's cache keys do.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include "base/error.h"

namespace berth::build {

class DigestCache {
 public:
  explicit DigestCache(size_t max_entries = 200000) : max_(max_entries) {}

  // "sha256:…" of the regular file at path, whose lstat is st: from the
  // cache when st matches, else read (and remembered).
  Result<std::string> Digest(const std::string& path, const struct stat& st);

 private:
  struct Key {
    dev_t dev;
    ino_t ino;
    auto operator<=>(const Key&) const = default;
  };
  struct Value {
    off_t size;
    mode_t mode;
    int64_t mtime_ns;
    std::string digest;
  };
  size_t max_;
  std::mutex mu_;
  std::map<Key, Value> entries_;
};

}  // namespace berth::build

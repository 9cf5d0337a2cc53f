// Uniquely named scratch files and directories: the one place berth calls
// mkdtemp/mkostemp. `prefix` is a path prefix ("/var/lib/x/layer-"); six
// random characters complete the name. The parent must exist.
#pragma once

#include <string>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::fs {

// A new empty directory (0700) prefix + "XXXXXX"; its path.
Result<std::string> MakeTempDir(const std::string& prefix);

// A new empty file (0600) prefix + "XXXXXX", open read-write and close-on-exec.
struct TempFile {
  std::string path;
  unique_fd fd;
};
Result<TempFile> MakeTempFile(const std::string& prefix);

}  // namespace berth::fs

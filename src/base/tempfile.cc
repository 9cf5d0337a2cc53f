#include "base/tempfile.h"

#include <fcntl.h>
#include <stdlib.h>

namespace berth::fs {

Result<std::string> MakeTempDir(const std::string& prefix) {
  std::string path = prefix + "XXXXXX";
  if (!::mkdtemp(path.data())) return Error::Sys("mkdtemp " + path);
  return path;
}

Result<TempFile> MakeTempFile(const std::string& prefix) {
  TempFile t{prefix + "XXXXXX", {}};
  int fd = ::mkostemp(t.path.data(), O_CLOEXEC);
  if (fd < 0) return Error::Sys("mkstemp " + t.path);
  t.fd = unique_fd(fd);
  return t;
}

}  // namespace berth::fs

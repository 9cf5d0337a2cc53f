#include "build/temp.h"

#include <stdlib.h>
#include <unistd.h>

#include "base/fs.h"

namespace berth::build {

Result<std::unique_ptr<TempDir>> TempDir::Create(const std::string& parent, const std::string& prefix) {
  BERTH_TRY(fs::MkdirAll(parent, 0700));
  std::string tmpl = parent + "/" + prefix + "XXXXXX";
  if (!::mkdtemp(tmpl.data())) return Error::Sys("mkdtemp " + tmpl);
  return std::unique_ptr<TempDir>(new TempDir(tmpl));
}

TempDir::~TempDir() { (void)fs::RemoveAll(path_); }

Result<std::string> MakeTempFile(const std::string& parent, const std::string& prefix) {
  BERTH_TRY(fs::MkdirAll(parent, 0700));
  std::string tmpl = parent + "/" + prefix + "XXXXXX";
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) return Error::Sys("mkstemp " + tmpl);
  ::close(fd);
  return tmpl;
}

}  // namespace berth::build

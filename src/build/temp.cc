#include "build/temp.h"

#include "base/fs.h"
#include "base/tempfile.h"

namespace berth::build {

Result<std::unique_ptr<TempDir>> TempDir::Create(const std::string& parent, const std::string& prefix) {
  BERTH_TRY(fs::MkdirAll(parent, 0700));
  std::string path = BERTH_TRY(fs::MakeTempDir(parent + "/" + prefix));
  return std::unique_ptr<TempDir>(new TempDir(std::move(path)));
}

TempDir::~TempDir() { (void)fs::RemoveAll(path_); }

Result<std::string> MakeTempFile(const std::string& parent, const std::string& prefix) {
  BERTH_TRY(fs::MkdirAll(parent, 0700));
  return BERTH_TRY(fs::MakeTempFile(parent + "/" + prefix)).path;
}

}  // namespace berth::build

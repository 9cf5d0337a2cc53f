// The path rules of `docker cp` (docker's cp.go and moby's archive copy
// rules), as pure functions so the decision table is unit-tested:
//   - "CONTAINER:PATH" vs a local path (an absolute path, or one starting
//     with ".", is always local);
//   - a trailing "/" asserts a directory, a trailing "/." copies the
//     contents of a directory rather than the directory;
//   - where an archive is extracted and how its top entry is renamed.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::cli::cp {

// "ctr:/p" → {"ctr", "/p"}; a local path → {"", path}.
struct CpArg {
  std::string container, path;
};
CpArg SplitCpArg(const std::string& arg);

bool HasTrailingSeparator(std::string_view p);
bool SpecifiesCurrentDir(std::string_view p);  // ends with "/." (or is ".")
bool AssertsDirectory(std::string_view p);      // either of the above
// Go's filepath.Base of a cleaned path.
std::string BaseName(std::string_view p);
// cleaned + the "/." or "/" that original ended with.
std::string PreserveTrailingDotOrSeparator(const std::string& cleaned, const std::string& original);
// The parent directory and the last entry of path; "/x/." → {"/x", "."}.
std::pair<std::string, std::string> SplitPathDirEntry(const std::string& path);
// After a symlink of path resolved to resolved: the resolved path keeping
// path's trailing "/." or "/", and the name entries must take ("" when the
// base names agree).
std::pair<std::string, std::string> GetRebaseName(const std::string& path, std::string resolved);
// filepath.Abs with the trailing "/" or "/." kept.
std::string ResolveLocalPath(const std::string& path, const std::string& cwd);

struct CopyInfo {
  std::string path;
  bool exists = false;
  bool is_dir = false;
  std::string rebase_name;
};

// moby's PrepareArchiveCopy: the directory the source archive is extracted
// in, and how its entries are renamed (first occurrence of old_base in
// each name becomes new_base; no renaming when old_base is empty). Errors:
// "cannot copy directory", "no such directory".
struct CopyPlan {
  std::string dst_dir, old_base, new_base;
};
Result<CopyPlan> PrepareArchiveCopy(const CopyInfo& src, const CopyInfo& dst);

// strings.Replace(name, old_base, new_base, 1).
std::string RebaseEntry(const std::string& name, const std::string& old_base, const std::string& new_base);

}  // namespace berth::cli::cp

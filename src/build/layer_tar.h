// A COPY/ADD/WORKDIR layer: the entries a step adds, keyed by their path
// in the image (no leading "/"), written as a tar in path order.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "base/error.h"

namespace berth::build {

struct TarEntry {
  enum Kind { kDir, kFile, kSymlink, kData } kind = kDir;
  std::string source;  // kFile: the file to read
  std::string data;    // kData: the contents
  std::string link;    // kSymlink: the target
  mode_t perm = 0755;
  uid_t uid = 0;
  gid_t gid = 0;
  int64_t mtime = 0;
};

using TarEntries = std::map<std::string, TarEntry>;

class TarWriter;

// Writes entries as a PAX tar to path, or into an open writer (not closed).
Status WriteLayerTar(const TarEntries& entries, const std::string& path);
Status WriteLayerTar(const TarEntries& entries, TarWriter& tar);

// Extracts a (possibly compressed) tar archive into dir, keeping owners,
// modes and times, refusing names that leave dir. false (and no error)
// when file is not an archive libarchive reads.
Result<bool> ExtractArchive(const std::string& file, const std::string& dir);

}  // namespace berth::build

// Extractor: applies tar entries, one at a time, to a layer directory being
// built (the temp sibling Unpack renames into place). Directory mtimes are
// applied by Finish(), after everything inside them exists.
#pragma once

#include <time.h>

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "image/layer/layer.h"
#include "image/layer/tree.h"

struct archive;
struct archive_entry;

namespace berth::layer {

inline constexpr char kWhiteoutPrefix[] = ".wh.";
inline constexpr char kWhiteoutMetaPrefix[] = ".wh..wh.";
inline constexpr char kWhiteoutOpaque[] = ".wh..wh..opq";
inline constexpr char kOpaqueXattr[] = "trusted.overlay.opaque";
inline constexpr char kOverlayXattrPrefix[] = "trusted.overlay.";

class Decompressor;

// What libarchive's read callback shares with its caller: the source, and
// the source's own error (more precise than libarchive's "read error").
struct ArchiveSource {
  Decompressor* src = nullptr;
  std::optional<Error> error;
};

// The error of a failed libarchive call: the source's, or libarchive's text.
Error ArchiveFailure(struct archive* a, const ArchiveSource& source, const std::string& what);

class Extractor {
 public:
  // a is the archive being read (file data comes from it); root_fd is the
  // layer directory.
  Extractor(struct archive* a, const ArchiveSource& source, int root_fd,
            const UnpackOptions& options)
      : a_(a), source_(source), root_(root_fd), options_(options) {}

  // Applies one entry; errors name the entry.
  Status Apply(struct archive_entry* e);
  Status Finish();

 private:
  struct Meta {
    uid_t uid;
    gid_t gid;
    mode_t perm;
    struct timespec times[2];  // atime, mtime
  };

  Result<Meta> ReadMeta(struct archive_entry* e);
  Status ApplyAt(struct archive_entry* e, const std::string& path);
  Status Whiteout(int pfd, const std::string& dir, const std::string& base, const Meta& m);
  // Makes room for a new entry: removes what is at base unless both are dirs.
  // Returns true when a directory was kept.
  Result<bool> Prepare(int pfd, const std::string& base, const std::string& path, bool is_dir);
  Status Directory(int pfd, const std::string& base, const std::string& path,
                   struct archive_entry* e, const Meta& m);
  Status RegularFile(int pfd, const std::string& base, const std::string& path,
                     struct archive_entry* e, const Meta& m);
  Status HardLink(int pfd, const std::string& base, const std::string& path, const char* target);
  Status Special(int pfd, const std::string& base, const std::string& path,
                 struct archive_entry* e, const Meta& m);  // symlink, device, fifo
  // Owner, mode, xattrs, times on an open fd (regular files, directories).
  Status FdMeta(int fd, const std::string& path, struct archive_entry* e, const Meta& m,
                bool times);
  Status Xattrs(int fd, int pfd, const std::string& base, const std::string& path,
                struct archive_entry* e);

  struct archive* a_;
  const ArchiveSource& source_;
  LayerRoot root_;
  const UnpackOptions& options_;
  struct DirTime {
    std::string path;
    struct timespec times[2];
  };
  std::vector<DirTime> dir_times_;
};

}  // namespace berth::layer

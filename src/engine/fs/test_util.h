// Helpers shared by the engine/fs tests: temp trees and tar files.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "base/fs.h"

namespace berth::engine::fs::testing {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/berth-fs-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { (void)berth::fs::RemoveAll(path_); }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void MkdirP(const std::string& p) { (void)berth::fs::MkdirAll(p, 0755); }
inline void Write(const std::string& p, const std::string& data, mode_t mode = 0644) {
  MkdirP(berth::fs::Dirname(p));
  (void)berth::fs::AtomicWrite(p, data, mode, false);
  ::chmod(p.c_str(), mode);
}
inline void Whiteout(const std::string& p) {
  MkdirP(berth::fs::Dirname(p));
  ::mknod(p.c_str(), S_IFCHR, makedev(0, 0));
}
inline void Opaque(const std::string& p) {
  MkdirP(p);
  ::setxattr(p.c_str(), "trusted.overlay.opaque", "y", 1, 0);
}
inline void Symlink(const std::string& target, const std::string& p) {
  MkdirP(berth::fs::Dirname(p));
  ::symlink(target.c_str(), p.c_str());
}

struct TarEntry {
  std::string name;
  mode_t type = AE_IFREG;
  std::string data;
  std::string link;  // symlink target
  int64_t uid = 0, gid = 0;
};

// Entry names mapped to their data ("" for non-files; "->target" for links).
inline std::map<std::string, std::string> ReadTar(const std::string& path) {
  std::map<std::string, std::string> out;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_format_empty(a);
  if (archive_read_open_filename(a, path.c_str(), 10240) != ARCHIVE_OK) {
    archive_read_free(a);
    out["<error>"] = "open";
    return out;
  }
  struct archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string v;
    if (archive_entry_filetype(e) == AE_IFLNK) {
      v = std::string("->") + archive_entry_symlink(e);
    } else {
      char buf[4096];
      la_ssize_t n;
      while ((n = archive_read_data(a, buf, sizeof buf)) > 0) v.append(buf, static_cast<size_t>(n));
    }
    out[archive_entry_pathname(e)] = v;
  }
  archive_read_free(a);
  return out;
}

inline void WriteTar(const std::string& path, const std::vector<TarEntry>& entries) {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open_filename(a, path.c_str());
  for (const TarEntry& t : entries) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.name.c_str());
    archive_entry_set_filetype(e, t.type);
    archive_entry_set_perm(e, t.type == AE_IFDIR ? 0755 : 0644);
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    if (t.type == AE_IFLNK) archive_entry_set_symlink(e, t.link.c_str());
    archive_entry_set_size(e, t.type == AE_IFREG ? static_cast<int64_t>(t.data.size()) : 0);
    archive_write_header(a, e);
    if (t.type == AE_IFREG && !t.data.empty()) archive_write_data(a, t.data.data(), t.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

}  // namespace berth::engine::fs::testing

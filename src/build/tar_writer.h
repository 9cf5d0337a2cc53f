// TarWriter: the one PAX tar writer for what berth builds from files on disk:
// the layers COPY/ADD/WORKDIR steps commit (build/layer_tar.h) and the build
// context the CLI sends. Headers carry exactly what the caller gives (no
// uname/gname, no atime/ctime, whole-second mtimes), so the same entries
// always give the same bytes and so the same layer diff IDs. A small library
// of its own (berth_build_tar: libarchive and base only) that the CLI may
// link without the engine.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <optional>
#include <utility>
#include <vector>

#include "base/error.h"

struct archive;

namespace berth::build {

struct TarHeader {
  enum Kind { kDir, kFile, kSymlink } kind = kFile;
  std::string name;  // "a/b", no trailing "/" (a directory gets one)
  mode_t perm = 0644;
  uid_t uid = 0;
  gid_t gid = 0;
  int64_t mtime = 0;
  int64_t size = 0;   // kFile: the number of bytes that follow
  std::string link;   // kSymlink: the target
  // PAX extended attributes (SCHILY.xattr.NAME), e.g. build::kSourceXattr.
  std::vector<std::pair<std::string, std::string>> xattrs;
};

class TarWriter {
 public:
  TarWriter();
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Starts writing to fd (not owned), in 10240-byte records.
  // pad_last_block: libarchive's default, which pads the last record only
  // when fd is not a regular file (the step layers go to files and keep the
  // bytes, and so the diff IDs, they always had); false never pads (the
  // context stream the CLI writes into a pipe ends after the two zero blocks).
  Status Open(int fd, bool pad_last_block = true);
  // Starts writing to sink, which gets every byte in order; the bytes are
  // exactly those Open(fd) writes to a regular file (no padding of the
  // last record), so hashing them gives the diff ID the file would have.
  using Sink = std::function<Status(std::string_view)>;
  Status Open(Sink sink);
  Status WriteHeader(const TarHeader& h);
  // File contents after a kFile header: data, or exactly h.size bytes read
  // from src_fd (an error, naming `what`, when the file is shorter).
  Status WriteData(std::string_view data);
  Status CopyFrom(int src_fd, int64_t size, const std::string& what);
  // A whole entry for a file on disk (directory, regular file or symlink,
  // with its mode and mtime; owner 0:0 unless given). Other kinds (sockets,
  // devices, fifos) are skipped. lstat-based: symlinks are not followed.
  Status AddPath(const std::string& name, const std::string& path, const struct stat& st);
  Status Close();

 private:
  Error Fail(const std::string& what);
  static ssize_t SinkWrite(archive* a, void* self, const void* buf, size_t n);
  struct Free {
    void operator()(archive* a) const;
  };
  std::unique_ptr<archive, Free> a_;
  Sink sink_;
  std::optional<Error> sink_error_;  // the sink's own failure, kept for Fail()
};

}  // namespace berth::build

// Layer tars: unpacking an image layer into an overlayfs lower directory, and
// packing a directory (a container's upper dir, a rootfs) back into a layer.
//
// Vocabulary:
//   layer tar      a tar stream, plain or compressed (gzip, zstd), as a
//                  registry or `docker save` carries it.
//   diff ID        "sha256:<hex>" of the UNCOMPRESSED tar stream, every byte
//                  of it including the end-of-archive blocks and padding; the
//                  image config's rootfs.diff_ids lists these.
//   digest         "sha256:<hex>" of the bytes as stored (compressed or not);
//                  manifests name blobs by this.
//   whiteout       a deletion recorded in a layer. In a tar: an empty entry
//                  `dir/.wh.NAME`; on disk (overlayfs): a 0:0 char device NAME.
//   opaque dir     a directory that hides everything below it in lower
//                  layers. In a tar: an entry `dir/.wh..wh..opq`; on disk: the
//                  xattr trusted.overlay.opaque="y" on dir.
//
// Invariants:
//   - Unpack never creates, changes or removes anything outside dest_dir and
//     its temporary sibling `dest_dir.tmp-XXXXXX`, whatever the tar contains:
//     entry names are cleaned ("/a" is "a"; a ".." that climbs above the
//     layer is refused); parents are resolved with openat2(RESOLVE_BENEATH |
//     RESOLVE_NO_MAGICLINKS), so a write through a symlink that leaves the
//     layer (absolute, or climbing with "..") is refused; the last component
//     is never followed; hard-link targets are resolved the same way.
//   - dest_dir appears whole or not at all: extraction happens in the temp
//     sibling, which is renamed into place (RENAME_NOREPLACE) only after the
//     whole stream, including the compression trailer, has been read and
//     checked. On any error the temp dir is removed.
//   - trusted.overlay.* xattrs are never taken from a tar (a hostile layer
//     could otherwise plant overlay redirects); opaque dirs come only from
//     `.wh..wh..opq` entries. Pack never writes them either.
//   - Pack's output is a function of the tree alone (names sorted bytewise,
//     mtimes in whole seconds, no user/group names, no atime/ctime, a gzip
//     header without name or time), so the diff ID of an unchanged tree is
//     reproducible.
//
// Overlay mounts built on these directories must not use redirect_dir,
// metacopy or index in upper dirs that get packed: Pack does not understand
// overlay redirects (neither does Docker's overlay2 driver, which disables
// them).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/error.h"

namespace berth::layer {

enum class Compression { kNone, kGzip, kZstd };
const char* CompressionName(Compression c);

// A byte source, e.g. a file, a pipe or an HTTP body. Read returns the number
// of bytes read into buf, 0 at the end of the stream.
class Reader {
 public:
  virtual ~Reader() = default;
  virtual Result<size_t> Read(void* buf, size_t n) = 0;
};

class FdReader : public Reader {
 public:
  explicit FdReader(int fd) : fd_(fd) {}
  Result<size_t> Read(void* buf, size_t n) override;

 private:
  int fd_;
};

// One range of an id mapping, as in the OCI runtime spec: ids
// [container_id, container_id + size) are stored as [host_id, host_id + size).
struct IdMapping {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct UnpackOptions {
  // Owners in the tar are mapped through these; empty means identity. An id
  // that no range covers is an error.
  std::vector<IdMapping> uid_map;
  std::vector<IdMapping> gid_map;
  // Sync the new layer before it is renamed into place (each file and
  // directory with fsync when there are few, else syncfs()), and fsync its
  // parent after: the layer survives a crash once Unpack returns.
  bool sync = true;
  // Start writing the files' data to disk while extracting (large files in
  // 8 MiB steps), for a caller that syncs the filesystem afterwards: the
  // disk works while the stream goes on and the final sync is short. Implied
  // by sync.
  bool writeback = false;
  // false: the result's digests and sizes are not computed (a caller that
  // hashes the stream itself saves two SHA-256 passes).
  bool hash = true;
};

struct UnpackResult {
  Digest diff_id;            // sha256 of the uncompressed tar
  Digest compressed_digest;  // sha256 of the bytes read
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  Compression compression = Compression::kNone;
};

// Reads a layer tar (compression detected from its magic bytes) and extracts
// it into dest_dir, which must not exist; its parent must. Errors name the
// tar entry, the path and the errno; Code::kAlreadyExists when dest_dir
// exists (also when another unpack wins the race to it).
Result<UnpackResult> Unpack(Reader& in, const std::string& dest_dir, const UnpackOptions& options);
Result<UnpackResult> Unpack(int fd, const std::string& dest_dir, const UnpackOptions& options);

struct PackOptions {
  Compression compression = Compression::kNone;
  int level = -1;  // compressor's level; -1 is its default (gzip 6, zstd 3)
  // Paths relative to the packed dir ("data", "var/lib/db"); each is left out
  // with everything below it.
  std::vector<std::string> exclude;
  // When set, only this entry of dir (a name, not a path) is packed, itself
  // included (a file, a symlink or a directory with everything below it),
  // under the name `rename` when that is set: `docker cp` archives.
  std::string single;
  std::string rename;
};

struct PackResult {
  Digest diff_id;  // sha256 of the uncompressed tar
  Digest digest;   // sha256 of the bytes written to out_fd
  uint64_t size = 0;    // bytes written to out_fd
  uint64_t uncompressed_size = 0;
};

// Writes dir as a layer tar to out_fd: PAX (ustar headers, extended records
// only where needed, xattrs as SCHILY.xattr.*), entries in bytewise-sorted
// depth-first order, directory names with a trailing '/', the root itself
// left out, hard links as link entries to the first name met. Overlay
// whiteouts and opaque dirs become `.wh.` entries; sockets are skipped.
Result<PackResult> Pack(const std::string& dir, int out_fd, const PackOptions& options);

}  // namespace berth::layer

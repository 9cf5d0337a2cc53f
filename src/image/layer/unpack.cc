// Unpack: stream → Decompressor (hashes) → libarchive's tar parser →
// Extractor, into a temp sibling renamed into place at the end.
//
// Why not libarchive's own gzip/zstd filters: the diff ID is the sha256 of
// the decompressed stream, and libarchive hands out entry data, not the
// decompressed bytes. Decompressing ourselves and giving libarchive a plain
// tar through its read callback hashes every byte once, in one pass, with no
// tee or second read; it also lets us insist that a gzip stream ends with a
// valid trailer (CRC and length) before the layer is published.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "base/fs.h"
#include "base/log.h"
#include "base/scope_guard.h"
#include "base/tempfile.h"
#include "base/unique_fd.h"
#include "image/layer/extract.h"
#include "image/layer/layer.h"
#include "image/layer/stream.h"
#include "image/layer/tree.h"

namespace berth::layer {
namespace {

constexpr size_t kSyncEachMax = 256;

la_ssize_t ReadCallback(struct archive* a, void* opaque, const void** buf) {
  auto* source = static_cast<ArchiveSource*>(opaque);
  auto chunk = source->src->Next();
  if (!chunk.ok()) {
    source->error = std::move(chunk).error();
    archive_set_error(a, EIO, "%s", source->error->message().c_str());
    return -1;
  }
  *buf = chunk->data();
  return static_cast<la_ssize_t>(chunk->size());
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

// Reads the whole stream into root_fd; the layer is complete when this
// returns Ok. *entries counts the tar's entries.
Status Extract(Decompressor& src, int root_fd, const UnpackOptions& options, size_t* entries) {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  if (!a) return Error::Internal("archive_read_new failed");
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  ArchiveSource source{&src, std::nullopt};
  if (archive_read_open(a.get(), &source, nullptr, ReadCallback, nullptr) != ARCHIVE_OK)
    return ArchiveFailure(a.get(), source, "open tar stream");
  Extractor extractor(a.get(), source, root_fd, options);
  for (;;) {
    struct archive_entry* e;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r == ARCHIVE_WARN) {
      log::Warn("layer: tar: {}", archive_error_string(a.get()) ? archive_error_string(a.get()) : "warning");
    } else if (r != ARCHIVE_OK) {
      const char* name = r == ARCHIVE_RETRY || !e ? nullptr : archive_entry_pathname(e);
      return ArchiveFailure(a.get(), source,
                            name ? std::string("read tar header of \"") + name + "\""
                                 : std::string("read tar header"));
    }
    BERTH_TRY(extractor.Apply(e));
    ++*entries;
  }
  // The tar may be followed by padding (or, for a hostile stream, by a
  // corrupt compression trailer): read it all, so the digests cover every
  // byte and a bad trailer fails the unpack.
  BERTH_TRY_CTX(src.Drain(), "read after the end of the tar");
  return extractor.Finish();
}

}  // namespace

Result<UnpackResult> Unpack(int fd, const std::string& dest_dir, const UnpackOptions& options) {
  FdReader reader(fd);
  return Unpack(reader, dest_dir, options);
}

Result<UnpackResult> Unpack(Reader& in, const std::string& dest_dir, const UnpackOptions& options) {
  std::string dest = dest_dir;
  while (dest.size() > 1 && dest.back() == '/') dest.pop_back();
  std::string what = "unpack layer into " + dest;
  if (dest.empty()) return Error::Invalid(what + ": empty destination");
  struct stat st;
  if (::lstat(dest.c_str(), &st) == 0)
    return Error(Code::kAlreadyExists, what + ": already exists", EEXIST);

  std::string tmp = BERTH_TRY_CTX(fs::MakeTempDir(dest + ".tmp-"), what);
  ScopeGuard cleanup([&tmp] {
    if (auto st = RemoveTree(AT_FDCWD, tmp); !st.ok())
      log::Warn("layer: cannot remove {}: {}", tmp, st.error().message());
  });
  int root = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (root < 0) return Error::Sys(what + ": open " + tmp);
  unique_fd root_fd(root);
  if (::fchmod(root, 0755) < 0) return Error::Sys(what + ": chmod " + tmp);

  Decompressor src(in, options.hash);
  size_t entries = 0;
  BERTH_TRY_CTX(Extract(src, root, options, &entries), what);

  // A small layer (a build step's) is synced file by file: syncfs would
  // also wait for whatever else is being written on this filesystem. A
  // large one (a pulled base image) in one syncfs.
  if (options.sync) {
    if (entries <= kSyncEachMax) {
      BERTH_TRY_CTX(SyncTree(AT_FDCWD, tmp), what);
    } else if (::syncfs(root) < 0) {
      return Error::Sys(what + ": syncfs " + tmp);
    }
  }
  root_fd.reset();
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dest.c_str(), RENAME_NOREPLACE) < 0) {
    if (errno == EEXIST || errno == ENOTEMPTY)
      return Error(Code::kAlreadyExists, what + ": already exists (unpacked concurrently)", errno);
    return Error::Sys(what + ": rename " + tmp);
  }
  cleanup.Dismiss();
  if (options.sync) {
    int dfd = ::open(fs::Dirname(dest).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
  UnpackResult r;
  r.compression = src.compression();
  r.compressed_size = src.raw().size();
  r.compressed_digest = src.raw().Final();
  r.uncompressed_size = src.plain().size();
  r.diff_id = src.plain().Final();
  return r;
}

}  // namespace berth::layer

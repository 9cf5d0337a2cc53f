// Writing step layers and extracting ADD's archives with libarchive.
#include "build/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "base/fs.h"
#include "base/unique_fd.h"
#include "build/tar_writer.h"

namespace berth::build {
namespace {

struct ArchiveCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ReaderCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

Error ArchiveError(archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return Error::Internal(what + ": " + (msg ? msg : "unknown error"));
}

}  // namespace

Status WriteLayerTar(const TarEntries& entries, const std::string& path) {
  unique_fd out = BERTH_TRY(fs::Open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  TarWriter tar;
  BERTH_TRY(tar.Open(out.get()));
  BERTH_TRY(WriteLayerTar(entries, tar));
  return tar.Close();
}

Status WriteLayerTar(const TarEntries& entries, TarWriter& tar) {
  for (const auto& [name, e] : entries) {
    TarHeader h{.name = name, .perm = e.perm, .uid = e.uid, .gid = e.gid, .mtime = e.mtime};
    switch (e.kind) {
      case TarEntry::kDir:
        h.kind = TarHeader::kDir;
        BERTH_TRY(tar.WriteHeader(h));
        break;
      case TarEntry::kSymlink:
        h.kind = TarHeader::kSymlink;
        h.link = e.link;
        BERTH_TRY(tar.WriteHeader(h));
        break;
      case TarEntry::kData:
        h.size = static_cast<int64_t>(e.data.size());
        BERTH_TRY(tar.WriteHeader(h));
        BERTH_TRY(tar.WriteData(e.data));
        break;
      case TarEntry::kFile: {
        unique_fd src = BERTH_TRY(fs::Open(e.source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        struct stat st;
        if (::fstat(src.get(), &st) != 0) return Error::Sys("stat " + e.source);
        h.size = st.st_size;
        BERTH_TRY(tar.WriteHeader(h));
        BERTH_TRY(tar.CopyFrom(src.get(), h.size, e.source));
        break;
      }
    }
  }
  return Ok();
}

Result<bool> ExtractArchive(const std::string& file, const std::string& dir) {
  std::unique_ptr<archive, ReaderCloser> r(archive_read_new());
  archive_read_support_filter_all(r.get());
  archive_read_support_format_tar(r.get());
  archive_read_support_format_gnutar(r.get());
  if (archive_read_open_filename(r.get(), file.c_str(), 1 << 16) != ARCHIVE_OK) return false;
  archive_entry* e = nullptr;
  int rc = archive_read_next_header(r.get(), &e);
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return false;  // not an archive: copied as a file
  std::unique_ptr<archive, ArchiveCloser> w(archive_write_disk_new());
  archive_write_disk_set_options(
      w.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                   ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_UNLINK);
  for (; rc == ARCHIVE_OK || rc == ARCHIVE_WARN; rc = archive_read_next_header(r.get(), &e)) {
    std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    while (!name.empty() && name[0] == '/') name.erase(0, 1);
    archive_entry_set_pathname(e, (dir + "/" + name).c_str());
    if (const char* hl = archive_entry_hardlink(e)) {
      std::string target = hl;
      while (!target.empty() && target[0] == '/') target.erase(0, 1);
      archive_entry_set_hardlink(e, (dir + "/" + target).c_str());
    }
    if (archive_write_header(w.get(), e) != ARCHIVE_OK)
      return ArchiveError(w.get(), "extract " + file + ": " + name);
    const void* block;
    size_t size;
    la_int64_t offset;
    int d;
    while ((d = archive_read_data_block(r.get(), &block, &size, &offset)) == ARCHIVE_OK)
      if (archive_write_data_block(w.get(), block, size, offset) != ARCHIVE_OK)
        return ArchiveError(w.get(), "extract " + file + ": " + name);
    if (d != ARCHIVE_EOF) return ArchiveError(r.get(), "extract " + file);
    archive_write_finish_entry(w.get());
  }
  if (rc != ARCHIVE_EOF) return ArchiveError(r.get(), "extract " + file);
  archive_write_close(w.get());
  return true;
}

}  // namespace berth::build

// Writing step layers and extracting ADD's archives with libarchive.
#include "build/layer_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <memory>
#include <vector>

#include "base/fs.h"
#include "base/unique_fd.h"

namespace berth::build {
namespace {

struct ArchiveCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ReaderCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

Error ArchiveError(archive* a, const std::string& what) {
  const char* msg = archive_error_string(a);
  return Error::Internal(what + ": " + (msg ? msg : "unknown error"));
}

}  // namespace

Status WriteLayerTar(const TarEntries& entries, const std::string& path) {
  unique_fd out = BERTH_TRY(fs::Open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  std::unique_ptr<archive, ArchiveCloser> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_per_block(a.get(), 10240);
  if (archive_write_open_fd(a.get(), out.get()) != ARCHIVE_OK) return ArchiveError(a.get(), "write layer");
  std::vector<char> buf(1 << 20);
  for (const auto& [name, e] : entries) {
    std::unique_ptr<archive_entry, EntryFree> h(archive_entry_new());
    archive_entry_set_uid(h.get(), e.uid);
    archive_entry_set_gid(h.get(), e.gid);
    archive_entry_set_perm(h.get(), e.perm & 07777);
    archive_entry_set_mtime(h.get(), e.mtime, 0);
    unique_fd src;
    int64_t size = 0;
    switch (e.kind) {
      case TarEntry::kDir:
        archive_entry_set_pathname(h.get(), (name + "/").c_str());
        archive_entry_set_filetype(h.get(), AE_IFDIR);
        break;
      case TarEntry::kSymlink:
        archive_entry_set_pathname(h.get(), name.c_str());
        archive_entry_set_filetype(h.get(), AE_IFLNK);
        archive_entry_set_symlink(h.get(), e.link.c_str());
        break;
      case TarEntry::kData:
        archive_entry_set_pathname(h.get(), name.c_str());
        archive_entry_set_filetype(h.get(), AE_IFREG);
        size = static_cast<int64_t>(e.data.size());
        break;
      case TarEntry::kFile: {
        archive_entry_set_pathname(h.get(), name.c_str());
        archive_entry_set_filetype(h.get(), AE_IFREG);
        src = BERTH_TRY(fs::Open(e.source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        struct stat st;
        if (::fstat(src.get(), &st) != 0) return Error::Sys("stat " + e.source);
        size = st.st_size;
        break;
      }
    }
    archive_entry_set_size(h.get(), size);
    if (archive_write_header(a.get(), h.get()) != ARCHIVE_OK)
      return ArchiveError(a.get(), "write layer: " + name);
    if (e.kind == TarEntry::kData) {
      if (archive_write_data(a.get(), e.data.data(), e.data.size()) < 0)
        return ArchiveError(a.get(), "write layer: " + name);
    } else if (e.kind == TarEntry::kFile) {
      int64_t left = size;
      while (left > 0) {
        ssize_t n = ::read(src.get(), buf.data(), std::min<int64_t>(left, buf.size()));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error::Sys("read " + e.source);
        if (n == 0) return Error::Internal("read " + e.source + ": file shrank while copying");
        if (archive_write_data(a.get(), buf.data(), n) < 0)
          return ArchiveError(a.get(), "write layer: " + name);
        left -= n;
      }
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return ArchiveError(a.get(), "write layer");
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

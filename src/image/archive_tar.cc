#include "image/archive_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "base/fs.h"
#include "base/strings.h"

namespace berth::image {
namespace {

Error ArchiveError(struct archive* a, const std::string& what) {
  const char* m = archive_error_string(a);
  return Error::Invalid(what + ": " + (m ? m : "unknown error"));
}

}  // namespace

Result<std::string> CleanArchivePath(std::string_view name) {
  std::vector<std::string> parts;
  for (const std::string& p : str::Split(name, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (parts.empty()) return Error::Invalid("archive member " + std::string(name) + " climbs out of the archive");
      parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  return str::Join(parts, "/");
}

const ArchiveMember* ArchiveFiles::Find(std::string_view path) const {
  auto clean = CleanArchivePath(path);
  if (!clean.ok()) return nullptr;
  std::string p = *clean;
  for (int hops = 0; hops < 16; ++hops) {
    auto it = members_.find(p);
    if (it == members_.end()) return nullptr;
    if (it->second.link.empty()) return &it->second;
    p = it->second.link;
  }
  return nullptr;
}

Result<std::string> ArchiveFiles::Read(std::string_view path, const ContentStore& content,
                                       size_t max) const {
  const ArchiveMember* m = Find(path);
  if (!m) return Error::Invalid("archive: " + std::string(path) + " not found");
  if (m->in_memory) return m->data;
  return content.ReadAll(m->blob, max);
}

Result<Digest> ArchiveFiles::Blob(std::string_view path, ContentStore& content) const {
  const ArchiveMember* m = Find(path);
  if (!m) return Error::Invalid("archive: " + std::string(path) + " not found");
  if (!m->in_memory) return m->blob;
  return content.WriteBlob(m->data);
}

Result<ArchiveFiles> ReadArchive(int fd, ContentStore& content,
                                 const std::function<void(const Digest&)>& pin,
                                 int64_t memory_limit) {
  std::unique_ptr<struct archive, int (*)(struct archive*)> a(archive_read_new(), archive_read_free);
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_bzip2(a.get());
  if (archive_read_open_fd(a.get(), fd, 1 << 20) != ARCHIVE_OK)
    return ArchiveError(a.get(), "read archive");
  ArchiveFiles files;
  struct archive_entry* e;
  for (;;) {
    int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return ArchiveError(a.get(), "read archive");
    const char* pn = archive_entry_pathname(e);
    std::string name = BERTH_TRY(CleanArchivePath(pn ? pn : ""));
    if (name.empty()) continue;
    ArchiveMember m;
    auto type = archive_entry_filetype(e);
    if (const char* hl = archive_entry_hardlink(e)) {
      m.link = BERTH_TRY(CleanArchivePath(hl));
    } else if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(e);
      std::string t = target ? target : "";
      std::string dir = fs::Dirname("/" + name);
      m.link = BERTH_TRY(CleanArchivePath(t.starts_with("/") ? t : dir + "/" + t));
    } else if (type != AE_IFREG) {
      continue;
    }
    if (!m.link.empty()) {
      files.members()[name] = std::move(m);
      continue;
    }
    int64_t size = archive_entry_size(e);
    m.size = size;
    const void* buf;
    size_t len;
    la_int64_t off;
    if (size <= memory_limit) {
      m.in_memory = true;
      while ((rc = archive_read_data_block(a.get(), &buf, &len, &off)) == ARCHIVE_OK) {
        if (static_cast<size_t>(off) > m.data.size()) m.data.resize(off, '\0');
        m.data.append(static_cast<const char*>(buf), len);
      }
      if (rc != ARCHIVE_EOF) return ArchiveError(a.get(), "read archive member " + name);
    } else {
      auto w = BERTH_TRY(content.NewWriter());
      int64_t written = 0;
      while ((rc = archive_read_data_block(a.get(), &buf, &len, &off)) == ARCHIVE_OK) {
        if (off > written) {
          std::string zeros(off - written, '\0');
          BERTH_TRY(w->Write(zeros));
          written = off;
        }
        BERTH_TRY(w->Write(std::string_view(static_cast<const char*>(buf), len)));
        written += len;
      }
      if (rc != ARCHIVE_EOF) return ArchiveError(a.get(), "read archive member " + name);
      m.blob = BERTH_TRY_CTX(w->Commit(std::nullopt, size), "archive member " + name);
      if (pin) pin(m.blob);
    }
    files.members()[name] = std::move(m);
  }
  return files;
}

TarWriter::~TarWriter() {
  if (a_) archive_write_free(a_);
}

Status TarWriter::Open() {
  a_ = archive_write_new();
  archive_write_set_format_pax_restricted(a_);
  archive_write_set_bytes_in_last_block(a_, 1);
  if (archive_write_open_fd(a_, fd_) != ARCHIVE_OK) return ArchiveError(a_, "write archive");
  return Ok();
}

Status TarWriter::Header(const std::string& name, unsigned type, int64_t size, int64_t mtime,
                         const std::string& link) {
  std::unique_ptr<struct archive_entry, void (*)(struct archive_entry*)> e(archive_entry_new(),
                                                                            archive_entry_free);
  archive_entry_set_pathname(e.get(), name.c_str());
  archive_entry_set_filetype(e.get(), type);
  archive_entry_set_perm(e.get(), type == AE_IFDIR ? 0755 : type == AE_IFLNK ? 0777 : 0644);
  archive_entry_set_size(e.get(), size);
  archive_entry_set_mtime(e.get(), mtime, 0);
  if (type == AE_IFLNK) archive_entry_set_symlink(e.get(), link.c_str());
  if (archive_write_header(a_, e.get()) != ARCHIVE_OK)
    return ArchiveError(a_, "write archive entry " + name);
  return Ok();
}

Status TarWriter::AddDir(const std::string& name, int64_t mtime) {
  return Header(name + "/", AE_IFDIR, 0, mtime, "");
}

Status TarWriter::AddFile(const std::string& name, std::string_view data, int64_t mtime) {
  BERTH_TRY(Header(name, AE_IFREG, static_cast<int64_t>(data.size()), mtime, ""));
  if (!data.empty() && archive_write_data(a_, data.data(), data.size()) < 0)
    return ArchiveError(a_, "write archive entry " + name);
  return Ok();
}

Status TarWriter::AddFileFromFd(const std::string& name, int src_fd, int64_t size, int64_t mtime) {
  BERTH_TRY(Header(name, AE_IFREG, size, mtime, ""));
  std::vector<char> buf(1 << 20);
  int64_t left = size;
  while (left > 0) {
    ssize_t n = ::read(src_fd, buf.data(), std::min<int64_t>(left, buf.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("read layer for " + name);
    }
    if (n == 0) return Error::Internal("write archive entry " + name + ": source ended early");
    if (archive_write_data(a_, buf.data(), n) < 0) return ArchiveError(a_, "write archive entry " + name);
    left -= n;
  }
  return Ok();
}

Status TarWriter::AddSymlink(const std::string& name, const std::string& target, int64_t mtime) {
  return Header(name, AE_IFLNK, 0, mtime, target);
}

Status TarWriter::Close() {
  if (!a_) return Ok();
  int rc = archive_write_close(a_);
  Status s = rc == ARCHIVE_OK ? Ok() : Status(ArchiveError(a_, "write archive"));
  archive_write_free(a_);
  a_ = nullptr;
  return s;
}

}  // namespace berth::image

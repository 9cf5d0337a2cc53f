#include "build/tar_writer.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "base/fs.h"
#include "base/unique_fd.h"

namespace berth::build {
namespace {

struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

void TarWriter::Free::operator()(archive* a) const { archive_write_free(a); }

TarWriter::TarWriter() = default;
TarWriter::~TarWriter() = default;

Error TarWriter::Fail(const std::string& what) {
  if (sink_error_) {
    Error e = *sink_error_;
    return std::move(e).Context("write tar: " + what);
  }
  const char* m = a_ ? archive_error_string(a_.get()) : nullptr;
  return Error::Internal("write tar: " + what + ": " + (m ? m : "unknown error"));
}

Status TarWriter::Open(int fd, bool pad_last_block) {
  a_.reset(archive_write_new());
  archive_write_set_format_pax_restricted(a_.get());
  archive_write_set_bytes_per_block(a_.get(), 10240);
  if (!pad_last_block) archive_write_set_bytes_in_last_block(a_.get(), 1);
  if (archive_write_open_fd(a_.get(), fd) != ARCHIVE_OK) return Fail("open");
  return Ok();
}

ssize_t TarWriter::SinkWrite(archive* a, void* self, const void* buf, size_t n) {
  auto* w = static_cast<TarWriter*>(self);
  Status s = w->sink_(std::string_view(static_cast<const char*>(buf), n));
  if (s.ok()) return static_cast<ssize_t>(n);
  w->sink_error_ = std::move(s).error();
  archive_set_error(a, EIO, "%s", w->sink_error_->message().c_str());
  return -1;
}

Status TarWriter::Open(Sink sink) {
  sink_ = std::move(sink);
  sink_error_.reset();
  a_.reset(archive_write_new());
  archive_write_set_format_pax_restricted(a_.get());
  archive_write_set_bytes_per_block(a_.get(), 10240);
  // What archive_write_open_fd chooses for a regular file: no padding.
  archive_write_set_bytes_in_last_block(a_.get(), 1);
  if (archive_write_open(a_.get(), this, nullptr, &TarWriter::SinkWrite, nullptr) != ARCHIVE_OK)
    return Fail("open");
  return Ok();
}

Status TarWriter::WriteHeader(const TarHeader& h) {
  std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
  archive_entry_set_pathname(e.get(), h.kind == TarHeader::kDir ? (h.name + "/").c_str() : h.name.c_str());
  archive_entry_set_uid(e.get(), h.uid);
  archive_entry_set_gid(e.get(), h.gid);
  archive_entry_set_perm(e.get(), h.perm & 07777);
  archive_entry_set_mtime(e.get(), h.mtime, 0);
  switch (h.kind) {
    case TarHeader::kDir:
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      break;
    case TarHeader::kSymlink:
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_symlink(e.get(), h.link.c_str());
      break;
    case TarHeader::kFile:
      archive_entry_set_filetype(e.get(), AE_IFREG);
      break;
  }
  archive_entry_set_size(e.get(), h.kind == TarHeader::kFile ? h.size : 0);
  for (const auto& [name, value] : h.xattrs)
    archive_entry_xattr_add_entry(e.get(), name.c_str(), value.data(), value.size());
  if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK) return Fail(h.name);
  return Ok();
}

Status TarWriter::WriteData(std::string_view data) {
  if (archive_write_data(a_.get(), data.data(), data.size()) < 0) return Fail("data");
  return Ok();
}

Status TarWriter::CopyFrom(int src_fd, int64_t size, const std::string& what) {
  std::vector<char> buf(std::min<int64_t>(std::max<int64_t>(size, 1), 1 << 20));
  for (int64_t left = size; left > 0;) {
    ssize_t n = ::read(src_fd, buf.data(), std::min<int64_t>(left, buf.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("read " + what);
    if (n == 0) return Error::Internal("read " + what + ": file shrank while copying");
    if (archive_write_data(a_.get(), buf.data(), n) < 0) return Fail(what);
    left -= n;
  }
  return Ok();
}

Status TarWriter::AddPath(const std::string& name, const std::string& path, const struct stat& st) {
  TarHeader h{.name = name, .perm = st.st_mode & 07777, .mtime = st.st_mtim.tv_sec};
  unique_fd src;
  if (S_ISDIR(st.st_mode)) {
    h.kind = TarHeader::kDir;
  } else if (S_ISLNK(st.st_mode)) {
    h.kind = TarHeader::kSymlink;
    std::vector<char> buf(std::max<size_t>(st.st_size + 1, 4096));
    ssize_t n = ::readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) return Error::Sys("readlink " + path);
    h.link.assign(buf.data(), n);
  } else if (S_ISREG(st.st_mode)) {
    src = BERTH_TRY(fs::Open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    h.size = st.st_size;
  } else {
    return Ok();
  }
  BERTH_TRY(WriteHeader(h));
  if (src.valid()) BERTH_TRY(CopyFrom(src.get(), h.size, path));
  return Ok();
}

Status TarWriter::Close() {
  if (archive_write_close(a_.get()) != ARCHIVE_OK) return Fail("close");
  return Ok();
}

}  // namespace berth::build

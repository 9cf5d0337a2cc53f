#include "build/context.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "base/digest.h"
#include "build/dockerignore.h"

namespace berth::build {
namespace {

struct ReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

Error Fail(archive* a, const std::string& what) {
  const char* m = archive_error_string(a);
  return Error::Invalid("build context: " + what + ": " + (m ? m : "unknown error"));
}

}  // namespace

Status UnpackContext(int fd, const std::string& dir, std::map<std::string, std::string>* digests) {
  std::unique_ptr<archive, ReadFree> r(archive_read_new());
  archive_read_support_filter_all(r.get());
  archive_read_support_format_tar(r.get());
  archive_read_support_format_gnutar(r.get());
  archive_read_support_format_empty(r.get());
  if (archive_read_open_fd(r.get(), fd, 1 << 20) != ARCHIVE_OK) return Fail(r.get(), "open");
  std::unique_ptr<archive, WriteFree> w(archive_write_disk_new());
  archive_write_disk_set_options(w.get(), ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                              ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                              ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                              ARCHIVE_EXTRACT_UNLINK);
  archive_entry* e = nullptr;
  int rc;
  while ((rc = archive_read_next_header(r.get(), &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
    std::string name = CleanPath(archive_entry_pathname(e) ? archive_entry_pathname(e) : "");
    while (!name.empty() && name[0] == '/') name.erase(0, 1);
    if (name == "." || name.empty()) continue;
    if (name == ".." || name.rfind("../", 0) == 0)
      return Error::Invalid("build context: entry leaves the context: " + name);
    archive_entry_set_pathname(e, (dir + "/" + name).c_str());
    if (const char* hl = archive_entry_hardlink(e)) {
      std::string target = CleanPath(hl);
      while (!target.empty() && target[0] == '/') target.erase(0, 1);
      archive_entry_set_hardlink(e, (dir + "/" + target).c_str());
    }
    const bool regular = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e);
    if (archive_write_header(w.get(), e) != ARCHIVE_OK) return Fail(w.get(), name);
    Sha256 h;
    const void* block;
    size_t size;
    la_int64_t offset;
    int d;
    while ((d = archive_read_data_block(r.get(), &block, &size, &offset)) == ARCHIVE_OK) {
      if (regular) h.Update(std::string_view(static_cast<const char*>(block), size));
      if (archive_write_data_block(w.get(), block, size, offset) != ARCHIVE_OK)
        return Fail(w.get(), name);
    }
    if (d != ARCHIVE_EOF) return Fail(r.get(), name);
    if (archive_write_finish_entry(w.get()) != ARCHIVE_OK) return Fail(w.get(), name);
    if (regular && digests) (*digests)[name] = h.Final().str();
  }
  if (rc != ARCHIVE_EOF) return Fail(r.get(), "read");
  if (archive_write_close(w.get()) != ARCHIVE_OK) return Fail(w.get(), "close");
  return Ok();
}

}  // namespace berth::build

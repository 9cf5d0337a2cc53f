#include "cli/cmd/image/build_context.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "base/fs.h"
#include "base/strings.h"
#include "build/context.h"
#include "build/dockerignore.h"

namespace berth::cli {
namespace {

struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

class TarOut {
 public:
  Status Open(int fd) {
    a_.reset(archive_write_new());
    archive_write_set_format_pax_restricted(a_.get());
    archive_write_set_bytes_per_block(a_.get(), 10240);
    archive_write_set_bytes_in_last_block(a_.get(), 1);
    if (archive_write_open_fd(a_.get(), fd) != ARCHIVE_OK) return Fail("open");
    return Ok();
  }
  // by_reference: a regular file goes as its absolute path (an xattr, see
  // build/context.h), without data; its size is added to *referenced.
  Status Add(const std::string& name, const std::string& path, const struct stat& st,
             bool by_reference, std::atomic<uint64_t>* referenced) {
    std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), S_ISDIR(st.st_mode) ? (name + "/").c_str() : name.c_str());
    archive_entry_set_perm(e.get(), st.st_mode & 07777);
    archive_entry_set_mtime(e.get(), st.st_mtim.tv_sec, 0);
    unique_fd src;
    if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFDIR);
    } else if (S_ISLNK(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      char buf[4096];
      ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
      archive_entry_set_symlink(e.get(), n > 0 ? std::string(buf, n).c_str() : "");
    } else if (S_ISREG(st.st_mode) && by_reference) {
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_size(e.get(), 0);
      std::string abs = BERTH_TRY(fs::Absolute(path));
      archive_entry_xattr_add_entry(e.get(), build::kSourceXattr, abs.data(), abs.size());
      if (referenced) *referenced += static_cast<uint64_t>(st.st_size);
    } else if (S_ISREG(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_size(e.get(), st.st_size);
      src = BERTH_TRY(fs::Open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    } else {
      return Ok();  // sockets, devices, fifos are not sent
    }
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK) return Fail(name);
    if (src.valid()) {
      std::vector<char> buf(1 << 20);
      for (;;) {
        ssize_t n = ::read(src.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Error::Sys("read " + path);
        if (n == 0) break;
        if (archive_write_data(a_.get(), buf.data(), n) < 0) return Fail(name);
      }
    }
    return Ok();
  }
  Status AddData(const std::string& name, const std::string& data) {
    std::unique_ptr<archive_entry, EntryFree> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), name.c_str());
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0600);
    archive_entry_set_size(e.get(), data.size());
    archive_entry_set_mtime(e.get(), ::time(nullptr), 0);
    if (archive_write_header(a_.get(), e.get()) != ARCHIVE_OK) return Fail(name);
    if (archive_write_data(a_.get(), data.data(), data.size()) < 0) return Fail(name);
    return Ok();
  }
  Status Close() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return Fail("close");
    return Ok();
  }

 private:
  Error Fail(const std::string& what) {
    const char* m = archive_error_string(a_.get());
    return Error::Internal("build context: " + what + ": " + (m ? m : "write failed"));
  }
  std::unique_ptr<archive, WriteFree> a_;
};

Status Walk(TarOut& tar, const build::IgnoreMatcher& ignore, const ContextSpec& spec,
            std::atomic<uint64_t>* referenced, const std::string& root, const std::string& rel) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Error::Sys("open " + dir);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    struct stat st;
    if (::lstat((root + "/" + r).c_str(), &st) != 0) return Error::Sys("stat " + r);
    bool excluded = ignore.Excluded(r);
    if (excluded && !(S_ISDIR(st.st_mode) && ignore.HasExceptions())) continue;
    if (!excluded)
      BERTH_TRY(tar.Add(r, root + "/" + r, st, spec.by_reference, referenced));
    if (S_ISDIR(st.st_mode)) BERTH_TRY(Walk(tar, ignore, spec, referenced, root, r));
  }
  return Ok();
}

}  // namespace

Status WriteContextTar(const ContextSpec& spec, int fd, std::atomic<uint64_t>* referenced) {
  std::vector<std::string> patterns;
  if (auto text = fs::ReadFile(spec.dir + "/.dockerignore"); text.ok()) {
    for (const std::string& line : str::Split(*text, '\n')) {
      std::string_view t = str::Trim(line);
      if (!t.empty() && t[0] != '#') patterns.emplace_back(t);
    }
  }
  // The Dockerfile and .dockerignore are sent even when ignored.
  if (!patterns.empty()) {
    patterns.push_back("!.dockerignore");
    if (!spec.dockerfile_in_context.empty()) patterns.push_back("!" + spec.dockerfile_in_context);
  }
  auto ignore = build::IgnoreMatcher::FromPatterns(patterns);
  if (!ignore.ok()) return std::move(ignore).error().Context("error checking context: .dockerignore");
  TarOut tar;
  BERTH_TRY(tar.Open(fd));
  if (!spec.dir.empty()) BERTH_TRY(Walk(tar, *ignore, spec, referenced, spec.dir, ""));
  if (spec.extra_dockerfile) BERTH_TRY(tar.AddData(spec.extra_name, *spec.extra_dockerfile));
  return tar.Close();
}

}  // namespace berth::cli

#include "cli/cmd/container/cp_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "base/fs.h"
#include "base/unique_fd.h"
#include "cli/cmd/container/cp_path.h"

namespace berth::cli::cp {

std::string Renames::Apply(const std::string& name) const {
  std::string n = from1.empty() ? name : RebaseEntry(name, from1, to1);
  return from2.empty() ? n : RebaseEntry(n, from2, to2);
}

namespace {

struct ArchiveWriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ArchiveReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};

class Packer {
 public:
  Packer(struct archive* a, const Renames& r) : a_(a), r_(r) {}

  // Adds path as name, and (for a directory) what it holds.
  Status Add(const std::string& path, const std::string& name) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return Error::Sys(fmt::format("lstat {}", path));
    std::string entry_name = r_.Apply(S_ISDIR(st.st_mode) && name.back() != '/' ? name + "/" : name);
    std::unique_ptr<struct archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_pathname(e.get(), entry_name.c_str());
    bool data = S_ISREG(st.st_mode);
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 256, '\0');
      ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
      if (n < 0) return Error::Sys(fmt::format("readlink {}", path));
      target.resize(static_cast<size_t>(n));
      archive_entry_set_symlink(e.get(), target.c_str());
    } else if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      auto it = links_.find(key);
      if (it != links_.end()) {
        archive_entry_set_hardlink(e.get(), it->second.c_str());
        archive_entry_set_size(e.get(), 0);
        data = false;
      } else {
        links_[key] = entry_name;
      }
    } else if (S_ISSOCK(st.st_mode)) {
      return Ok();  // as docker: sockets are not archived
    }
    if (!S_ISREG(st.st_mode) || !data) archive_entry_set_size(e.get(), 0);
    if (archive_write_header(a_, e.get()) != ARCHIVE_OK)
      return Error::Internal(fmt::format("archive {}: {}", path, archive_error_string(a_)));
    if (data) BERTH_TRY(CopyData(path));
    if (S_ISDIR(st.st_mode)) {
      std::vector<std::string> names;
      DIR* d = ::opendir(path.c_str());
      if (d == nullptr) return Error::Sys(fmt::format("open {}", path));
      while (struct dirent* de = ::readdir(d)) {
        std::string n = de->d_name;
        if (n != "." && n != "..") names.push_back(n);
      }
      ::closedir(d);
      std::sort(names.begin(), names.end());
      std::string prefix = name.back() == '/' ? name : name + "/";
      for (const auto& n : names) BERTH_TRY(Add(path + "/" + n, prefix + n));
    }
    return Ok();
  }

 private:
  Status CopyData(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::Sys(fmt::format("open {}", path));
    unique_fd f(fd);
    char buf[64 * 1024];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error::Sys(fmt::format("read {}", path));
      }
      if (n == 0) return Ok();
      if (archive_write_data(a_, buf, static_cast<size_t>(n)) < 0)
        return Error::Internal(fmt::format("archive {}: {}", path, archive_error_string(a_)));
    }
  }

  struct archive* a_;
  const Renames& r_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

// Refuses names that climb out of the destination.
bool Escapes(const std::string& name) {
  std::string c = fs::Clean(name);
  return c == ".." || c.rfind("../", 0) == 0;
}

std::string Relative(std::string name) {
  while (!name.empty() && name[0] == '/') name.erase(0, 1);
  return name.empty() ? "." : name;
}

}  // namespace

Status WriteTar(const std::string& src_path, const Renames& renames, int fd) {
  unique_fd out(fd);
  std::unique_ptr<struct archive, ArchiveWriteDeleter> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open_fd(a.get(), fd) != ARCHIVE_OK)
    return Error::Internal(std::string("archive: ") + archive_error_string(a.get()));
  auto [dir, base] = SplitPathDirEntry(src_path);
  (void)dir;
  std::string path = src_path;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  Packer p(a.get(), renames);
  Status st = p.Add(path, base == "." ? "." : base);
  if (archive_write_close(a.get()) != ARCHIVE_OK && st.ok())
    st = Error::Internal(std::string("archive: ") + archive_error_string(a.get()));
  return st;
}

Status ExtractTar(int fd, const std::string& dst_dir, const Renames& renames) {
  std::unique_ptr<struct archive, ArchiveReadDeleter> a(archive_read_new());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  if (archive_read_open_fd(a.get(), fd, 64 * 1024) != ARCHIVE_OK)
    return Error::Internal(std::string("archive: ") + archive_error_string(a.get()));
  std::unique_ptr<struct archive, ArchiveWriteDeleter> disk(archive_write_disk_new());
  archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                 ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                 ARCHIVE_EXTRACT_SECURE_SYMLINKS);
  std::string root = dst_dir == "/" ? "" : dst_dir;
  // Entries are written relative to the destination, so SECURE_SYMLINKS
  // checks only the archive's own components. (The caller runs this in the
  // process's only extracting thread and uses absolute paths elsewhere.)
  if (::chdir(dst_dir.c_str()) != 0) return Error::Sys(fmt::format("chdir {}", dst_dir));
  for (;;) {
    struct archive_entry* e = nullptr;
    int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      return Error::Internal(std::string("archive: ") + archive_error_string(a.get()));
    std::string name = Relative(renames.Apply(archive_entry_pathname(e)));
    if (Escapes(name)) return Error::Invalid(fmt::format("invalid archive entry {}", name));
    std::string target = fs::Clean(root + "/" + name);
    // NoOverwriteDirNonDir, as docker's CopyTo extracts.
    struct stat st {};
    bool is_dir = archive_entry_filetype(e) == AE_IFDIR;
    if (::lstat(target.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode) && !is_dir)
        return Error::Invalid(fmt::format("cannot overwrite directory \"{}\" with non-directory \"{}\"", target, target));
      if (!S_ISDIR(st.st_mode) && is_dir)
        return Error::Invalid(fmt::format("cannot overwrite non-directory \"{}\" with directory \"{}\"", target, target));
    }
    archive_entry_set_pathname(e, fs::Clean(name).c_str());
    if (const char* hl = archive_entry_hardlink(e)) {
      std::string link = Relative(renames.Apply(hl));
      if (Escapes(link)) return Error::Invalid(fmt::format("invalid hardlink {}", link));
      archive_entry_set_hardlink(e, fs::Clean(link).c_str());
    }
    if (archive_write_header(disk.get(), e) != ARCHIVE_OK)
      return Error::Internal(fmt::format("extract {}: {}", target, archive_error_string(disk.get())));
    if (archive_entry_size(e) > 0) {
      const void* buf;
      size_t size;
      la_int64_t off;
      for (;;) {
        int rr = archive_read_data_block(a.get(), &buf, &size, &off);
        if (rr == ARCHIVE_EOF) break;
        if (rr != ARCHIVE_OK) return Error::Internal(std::string("archive: ") + archive_error_string(a.get()));
        if (archive_write_data_block(disk.get(), buf, size, off) != ARCHIVE_OK)
          return Error::Internal(fmt::format("extract {}: {}", target, archive_error_string(disk.get())));
      }
    }
    if (archive_write_finish_entry(disk.get()) != ARCHIVE_OK)
      return Error::Internal(fmt::format("extract {}: {}", target, archive_error_string(disk.get())));
  }
  if (archive_write_close(disk.get()) != ARCHIVE_OK)
    return Error::Internal(std::string("extract: ") + archive_error_string(disk.get()));
  return Ok();
}

}  // namespace berth::cli::cp

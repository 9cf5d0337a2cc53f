// Changes (docker diff), PackChanges (the layer of docker commit) and
// ExportRootfs (docker export).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>

#include "base/fs.h"
#include "base/strings.h"
#include "engine/fs/container_fs.h"
#include "engine/fs/in_root.h"
#include "image/layer/layer.h"

namespace berth::engine::fs {
namespace {

bool IsWhiteout(const struct stat& st) {
  return S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
}

bool IsOpaque(int dirfd, const std::string& name) {
  std::string p = ProcFdPath(dirfd) + "/" + name;
  char v[2];
  ssize_t n = ::lgetxattr(p.c_str(), "trusted.overlay.opaque", v, sizeof v);
  return n == 1 && v[0] == 'y';
}

// rel (no leading '/') beneath dirfd, following no symlink (overlay merges
// directories only, never through links); an invalid fd when it is not there.
unique_fd OpenNoSymlinks(int dirfd, const std::string& rel) {
  auto fd = berth::fs::OpenBeneath(dirfd, rel, O_PATH | O_DIRECTORY, "a layer");
  return fd.ok() ? std::move(*fd) : unique_fd();
}

Result<std::vector<std::string>> SortedNames(int dirfd, const std::string& shown) {
  int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + shown);
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return Error::Sys("fdopendir " + shown);
  }
  std::vector<std::string> names;
  errno = 0;
  while (struct dirent* de = ::readdir(dir)) {
    if (!std::strcmp(de->d_name, ".") || !std::strcmp(de->d_name, "..")) continue;
    names.emplace_back(de->d_name);
  }
  int err = errno;
  ::closedir(dir);
  if (err) return Error::Sys("readdir " + shown, err);
  std::sort(names.begin(), names.end());
  return names;
}

// The lower layers, top first, as open directory fds.
class Lowers {
 public:
  static Result<Lowers> Open(const std::string& joined) {
    Lowers l;
    for (const std::string& d : str::Split(joined, ':')) {
      if (d.empty()) continue;
      int fd = ::open(d.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0) return Error::Sys("open lower dir " + d);
      l.fds_.emplace_back(fd);
    }
    return l;
  }

  // What the image shows at rel ("a/b"): the first layer holding it decides;
  // a whiteout there, or a whiteout or opaque dir on the way, hides the
  // layers below.
  std::optional<struct stat> Lookup(const std::string& rel) const {
    auto [dir, base] = SplitLast(rel);
    for (const unique_fd& layer : fds_) {
      unique_fd parent = OpenNoSymlinks(layer.get(), dir);
      if (!parent.valid()) {
        if (HiddenOnTheWay(layer.get(), dir)) return std::nullopt;
        continue;
      }
      struct stat st;
      if (::fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
        return IsWhiteout(st) ? std::nullopt : std::optional<struct stat>(st);
      if (OpaqueOnTheWay(layer.get(), dir)) return std::nullopt;
    }
    return std::nullopt;
  }

 private:
  static std::pair<std::string, std::string> SplitLast(const std::string& rel) {
    size_t pos = rel.rfind('/');
    if (pos == std::string::npos) return {"", rel};
    return {rel.substr(0, pos), rel.substr(pos + 1)};
  }
  // A prefix of dir is a whiteout (or a non-directory) in this layer.
  static bool HiddenOnTheWay(int layer, const std::string& dir) {
    std::string prefix;
    for (const std::string& part : str::Split(dir, '/')) {
      if (part.empty()) continue;
      std::string parent = prefix;
      prefix = prefix.empty() ? part : prefix + "/" + part;
      unique_fd pfd = OpenNoSymlinks(layer, parent);
      if (!pfd.valid()) return false;
      struct stat st;
      if (::fstatat(pfd.get(), part.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return false;
      if (!S_ISDIR(st.st_mode)) return true;
      if (IsOpaque(pfd.get(), part)) return true;
    }
    return false;
  }
  // dir or one of its parents is opaque in this layer.
  static bool OpaqueOnTheWay(int layer, const std::string& dir) {
    std::string prefix;
    for (const std::string& part : str::Split(dir, '/')) {
      if (part.empty()) continue;
      unique_fd pfd = OpenNoSymlinks(layer, prefix);
      if (!pfd.valid()) return false;
      if (IsOpaque(pfd.get(), part)) return true;
      prefix = prefix.empty() ? part : prefix + "/" + part;
    }
    return false;
  }

  std::vector<unique_fd> fds_;
};

class ChangeWalker {
 public:
  ChangeWalker(const Lowers& lowers, const std::vector<std::string>& excluded)
      : lowers_(lowers) {
    for (const std::string& x : excluded) {
      std::string c = berth::fs::Clean("/" + x);
      if (c != "/") excluded_.insert(c);
    }
  }

  // Walks dirfd, the upper dir at container path `path` ("" for the root).
  // under_opaque: an ancestor replaced its lower counterpart.
  Status Walk(int dirfd, const std::string& path, bool under_opaque) {
    std::vector<std::string> names = BERTH_TRY(SortedNames(dirfd, path.empty() ? "/" : path));
    for (const std::string& name : names) {
      std::string child = path + "/" + name;
      if (excluded_.count(child)) continue;
      struct stat st;
      if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT) continue;  // removed meanwhile
        return Error::Sys("stat " + child);
      }
      std::optional<struct stat> below;
      if (!under_opaque) below = lowers_.Lookup(child.substr(1));
      bool opaque = S_ISDIR(st.st_mode) && IsOpaque(dirfd, name);
      if (IsWhiteout(st)) {
        Record(child, 2);
        continue;
      }
      if (S_ISDIR(st.st_mode)) {
        if (opaque && below) {
          Record(child, 2);
        } else if (!below) {
          Record(child, 1);
        } else if (!S_ISDIR(below->st_mode) || (below->st_mode & 07777) != (st.st_mode & 07777) ||
                   below->st_uid != st.st_uid || below->st_gid != st.st_gid) {
          Record(child, 0);
        }
        int fd = ::openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) return Error::Sys("open " + child);
        unique_fd guard(fd);
        BERTH_TRY(Walk(fd, child, under_opaque || opaque));
        continue;
      }
      Record(child, below ? 0 : 1);
    }
    return Ok();
  }

  std::vector<Change> Take() { return std::move(changes_); }

 private:
  // Appends a change, after its parent (as modified) when that is not
  // reported yet.
  void Record(const std::string& path, int kind) {
    std::string parent = berth::fs::Dirname(path);
    if (parent != "/" && !reported_.count(parent)) InsertParent(parent);
    reported_.insert(path);
    changes_.push_back({path, kind});
  }
  // The walk visits a directory before its contents and records nothing in
  // between, so appending the parent now keeps the walk order.
  void InsertParent(const std::string& parent) {
    std::string grand = berth::fs::Dirname(parent);
    if (grand != "/" && !reported_.count(grand)) InsertParent(grand);
    reported_.insert(parent);
    changes_.push_back({parent, 0});
  }

  const Lowers& lowers_;
  std::set<std::string> excluded_;
  std::set<std::string> reported_;
  std::vector<Change> changes_;
};

layer::PackOptions PackExcluding(const std::vector<std::string>& excluded) {
  layer::PackOptions o;
  for (const std::string& x : excluded) {
    std::string c = berth::fs::Clean("/" + x);
    if (c != "/") o.exclude.push_back(c.substr(1));
  }
  return o;
}

}  // namespace

Result<std::vector<Change>> Changes(const std::string& upper_dir, const std::string& lower_dirs,
                                    const std::vector<std::string>& excluded) {
  std::string what = "changes of " + upper_dir;
  Lowers lowers = BERTH_TRY_CTX(Lowers::Open(lower_dirs), what);
  int fd = ::open(upper_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Sys(what + ": open " + upper_dir);
  unique_fd upper(fd);
  ChangeWalker w(lowers, excluded);
  BERTH_TRY_CTX(w.Walk(upper.get(), "", false), what);
  return w.Take();
}

nlohmann::json ToJson(const std::vector<Change>& changes) {
  nlohmann::json out = nlohmann::json::array();
  for (const Change& c : changes) out.push_back({{"Path", c.path}, {"Kind", c.kind}});
  return out;
}

Result<std::string> PackChanges(const std::string& upper_dir,
                                const std::vector<std::string>& excluded, int out_fd) {
  layer::PackResult r =
      BERTH_TRY_CTX(layer::Pack(upper_dir, out_fd, PackExcluding(excluded)), "pack changes");
  return r.diff_id.str();
}

Status ExportRootfs(const std::string& merged_dir, const std::vector<std::string>& excluded,
                    int out_fd) {
  auto r = layer::Pack(merged_dir, out_fd, PackExcluding(excluded));
  if (!r.ok()) return std::move(r).error().Context("export");
  return Ok();
}

}  // namespace berth::engine::fs

#include "build/digest_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/fs.h"

namespace berth::build {
namespace {

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

Result<std::string> DigestCache::Digest(const std::string& path, const struct stat& st) {
  const Key key{st.st_dev, st.st_ino};
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.size == st.st_size && it->second.mode == st.st_mode &&
        it->second.mtime_ns == MtimeNs(st))
      return it->second.digest;
  }
  unique_fd fd = BERTH_TRY(fs::Open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  struct stat now;
  if (::fstat(fd.get(), &now) != 0) return Error::Sys("stat " + path);
  std::string digest = BERTH_TRY(Sha256Fd(fd.get(), path)).str();
  // Remember it only when the file did not change while it was read.
  struct stat after;
  if (::fstat(fd.get(), &after) == 0 && after.st_size == now.st_size &&
      MtimeNs(after) == MtimeNs(now) && now.st_ino == st.st_ino && now.st_dev == st.st_dev) {
    std::lock_guard lock(mu_);
    if (entries_.size() >= max_) entries_.clear();  // a crude bound: start over
    entries_[key] = Value{now.st_size, now.st_mode, MtimeNs(now), digest};
  }
  return digest;
}

}  // namespace berth::build

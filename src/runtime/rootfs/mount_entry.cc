#include "runtime/rootfs/mount_entry.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "base/fs.h"
#include "base/log.h"
#include "runtime/rootfs/copy_up.h"
#include "runtime/rootfs/mount_util.h"

namespace berth::rootfs {
namespace {

// The mount now on dest (a path walk crosses it; the fd we mounted on still
// names the directory underneath).
Result<std::string> Reopen(const RootDir& root, const std::string& dest, unique_fd* holder) {
  *holder = BERTH_TRY(root.OpenIn(dest, O_PATH));
  return FdPath(holder->get());
}

Status MountBind(const RootDir& root, const std::string& dest, const oci::Mount& m,
                 const MountOptions& mo) {
  const std::string display = root.Display(dest);
  struct stat st;
  if (::stat(m.source.c_str(), &st) != 0)
    return Error::Sys("mount " + m.source + " on " + display);
  unique_fd target =
      BERTH_TRY(S_ISDIR(st.st_mode) ? root.MkdirAll(dest) : root.CreateFile(dest));
  if (!mo.data.empty())
    log::Warn("mount {} on {}: ignoring options \"{}\" for a bind mount", m.source, display,
              mo.data);
  unsigned long flags = MS_BIND | (mo.recursive() ? MS_REC : 0);
  BERTH_TRY(Mount(m.source, FdPath(target.get()), "", flags, "", display));
  if (mo.RemountFlags() == 0) return Ok();
  unique_fd mounted;
  std::string path = BERTH_TRY(Reopen(root, dest, &mounted));
  return RemountBind(path, mo.RemountFlags(), display);
}

// A tmpfs that starts with a copy of what the destination held. A read-only
// tmpfs is mounted writable, filled, then remounted read-only.
Status MountTmpfsCopyUp(const RootDir& root, const std::string& dest, const std::string& source,
                        unsigned long flags, const MountOptions& mo) {
  const std::string display = root.Display(dest);
  // Held across the mount: still names the directory underneath.
  unique_fd below = BERTH_TRY(root.OpenIn(dest, O_RDONLY | O_DIRECTORY));
  BERTH_TRY(Mount(source, FdPath(below.get()), "tmpfs", flags & ~MS_RDONLY, mo.data, display));
  unique_fd above = BERTH_TRY(root.OpenIn(dest, O_RDONLY | O_DIRECTORY));
  BERTH_TRY_CTX(CopyTree(below.get(), above.get(), display), "tmpcopyup");
  if (mo.data.find("mode=") == std::string::npos)
    BERTH_TRY_CTX(CopyOwnerAndMode(below.get(), above.get(), display), "tmpcopyup");
  if ((flags & MS_RDONLY) == 0) return Ok();
  return RemountBind(FdPath(above.get()), (flags & ~MS_REMOUNT) | MS_RDONLY, display);
}

// Filesystems a user namespace may not mount fresh: bind the host's instead,
// as runc does.
bool BindFallback(const std::string& type, const Options& opts, int err) {
  return opts.in_user_namespace && (err == EPERM || err == EBUSY) &&
         (type == "sysfs" || type == "mqueue");
}

Status MountFilesystem(const RootDir& root, const std::string& dest, const oci::Mount& m,
                       const MountOptions& mo, const Options& opts) {
  const std::string display = root.Display(dest);
  unique_fd target = BERTH_TRY(root.MkdirAll(dest));
  const std::string source = m.source.empty() ? m.type : m.source;
  unsigned long flags = mo.flags & ~(MS_BIND | MS_REC);
  if (mo.tmpcopyup && m.type == "tmpfs") return MountTmpfsCopyUp(root, dest, source, flags, mo);
  if (mo.tmpcopyup) log::Warn("mount on {}: tmpcopyup applies to tmpfs only, ignored", display);
  Status st = Mount(source, FdPath(target.get()), m.type, flags, mo.data, display);
  if (st.ok() || !BindFallback(m.type, opts, st.error().err())) return st;
  const std::string host = m.type == "sysfs" ? "/sys" : "/dev/mqueue";
  log::Debug("{}; binding the host's {} instead", st.error().message(), host);
  BERTH_TRY(Mount(host, FdPath(target.get()), "", MS_BIND | MS_REC, "", display));
  unique_fd mounted;
  std::string path = BERTH_TRY(Reopen(root, dest, &mounted));
  return RemountBind(path, flags & ~MS_REMOUNT, display);
}

}  // namespace

Status MountEntry(const RootDir& root, const oci::Mount& m, const Options& opts) {
  if (m.destination.empty()) return Error::Invalid("mount of " + m.source + ": no destination");
  // runtime-spec 1.0.2 wants absolute destinations; like runc, take a
  // relative one as relative to the rootfs.
  const std::string dest = fs::Clean("/" + m.destination);
  if (dest == "/") return Error::Invalid("mount " + m.source + " on the rootfs itself (\"/\")");
  MountOptions mo = ParseMountOptions(m.options);
  if (m.type == "bind" || mo.bind()) {
    BERTH_TRY(MountBind(root, dest, m, mo));
  } else if (m.type == "cgroup" || m.type == "cgroup2") {
    BERTH_TRY(MountCgroup(root, dest, m, mo, opts));
  } else if (m.type.empty()) {
    return Error::Invalid("mount " + m.source + " on " + root.Display(dest) +
                          ": no type (and not a bind mount)");
  } else {
    BERTH_TRY(MountFilesystem(root, dest, m, mo, opts));
  }
  if (mo.propagation.empty()) return Ok();
  unique_fd mounted;
  std::string path = BERTH_TRY(Reopen(root, dest, &mounted));
  for (unsigned long p : mo.propagation)
    BERTH_TRY(SetPropagation(path, p, root.Display(dest)));
  return Ok();
}

}  // namespace berth::rootfs

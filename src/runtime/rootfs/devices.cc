#include "runtime/rootfs/devices.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>

#include "runtime/rootfs/mount_util.h"

namespace berth::rootfs {
namespace {

oci::Device Char(const char* path, int64_t major, int64_t minor) {
  oci::Device d;
  d.type = "c";
  d.path = path;
  d.major = major;
  d.minor = minor;
  d.file_mode = 0666;
  d.uid = 0;
  d.gid = 0;
  return d;
}

Result<mode_t> NodeType(const oci::Device& d) {
  if (d.type == "c" || d.type == "u") return static_cast<mode_t>(S_IFCHR);
  if (d.type == "b") return static_cast<mode_t>(S_IFBLK);
  if (d.type == "p") return static_cast<mode_t>(S_IFIFO);
  return Error::Invalid("device " + d.path + ": unknown type \"" + d.type + "\"");
}

std::string Describe(const oci::Device& d) {
  return d.type + " " + std::to_string(d.major) + ":" + std::to_string(d.minor);
}

Status BindHostNode(const RootDir& root, const oci::Device& d) {
  unique_fd target = BERTH_TRY(root.CreateFile(d.path, 0));
  return Mount(d.path, FdPath(target.get()), "", MS_BIND, "", root.Display(d.path));
}

Status Mknod(const RootDir& root, const oci::Device& d, mode_t type, mode_t perm) {
  auto [dir, name] = BERTH_TRY(root.Parent(d.path));
  dev_t dev = makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
  int rc = ::mknodat(dir.get(), name.c_str(), type | perm, dev);
  if (rc != 0 && errno == EEXIST) {
    if (::unlinkat(dir.get(), name.c_str(), 0) != 0)
      return Error::Sys("unlink " + root.Display(d.path));
    rc = ::mknodat(dir.get(), name.c_str(), type | perm, dev);
  }
  if (rc != 0) return Error::Sys("mknod " + root.Display(d.path) + " (" + Describe(d) + ")");
  // mknod applies the umask, and the owner is ours: set both explicitly on
  // the node itself (never through a symlink).
  int fd = ::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + root.Display(d.path));
  unique_fd node(fd);
  if (::chmod(FdPath(fd).c_str(), perm) != 0)
    return Error::Sys("chmod " + root.Display(d.path));
  if (::fchownat(fd, "", d.uid.value_or(0), d.gid.value_or(0), AT_EMPTY_PATH) != 0)
    return Error::Sys("chown " + root.Display(d.path));
  return Ok();
}

}  // namespace

const std::vector<oci::Device>& DefaultDevices() {
  static const std::vector<oci::Device> kDefaults = {
      Char("/dev/null", 1, 3),    Char("/dev/zero", 1, 5), Char("/dev/full", 1, 7),
      Char("/dev/random", 1, 8),  Char("/dev/urandom", 1, 9), Char("/dev/tty", 5, 0),
  };
  return kDefaults;
}

std::vector<oci::Device> MergeDevices(const std::vector<oci::Device>& spec_devices) {
  std::vector<oci::Device> out;
  for (const oci::Device& d : DefaultDevices()) {
    bool replaced = false;
    for (const oci::Device& s : spec_devices) replaced = replaced || s.path == d.path;
    if (!replaced) out.push_back(d);
  }
  out.insert(out.end(), spec_devices.begin(), spec_devices.end());
  return out;
}

Status CreateDevice(const RootDir& root, const oci::Device& device, bool bind_host) {
  if (device.path.empty() || device.path[0] != '/')
    return Error::Invalid("device path \"" + device.path + "\" is not absolute");
  mode_t type = BERTH_TRY(NodeType(device));
  mode_t perm = device.file_mode.value_or(0666) & 07777;
  if (bind_host) return BindHostNode(root, device);
  return Mknod(root, device, type, perm);
}

Status CreateDevSymlinks(const RootDir& root, bool with_kcore) {
  struct Link {
    const char* target;
    const char* path;
  };
  static constexpr std::array<Link, 6> kLinks{{
      {"/proc/self/fd", "/dev/fd"},
      {"/proc/self/fd/0", "/dev/stdin"},
      {"/proc/self/fd/1", "/dev/stdout"},
      {"/proc/self/fd/2", "/dev/stderr"},
      {"pts/ptmx", "/dev/ptmx"},
      {"/proc/kcore", "/dev/core"},
  }};
  for (const Link& link : kLinks) {
    std::string path = link.path;
    if (path == "/dev/core" && !with_kcore) continue;
    auto [dir, name] = BERTH_TRY(root.Parent(path));
    // /dev/ptmx must reach the devpts instance of the container.
    if (path == "/dev/ptmx" && ::unlinkat(dir.get(), name.c_str(), 0) != 0 && errno != ENOENT)
      return Error::Sys("unlink " + root.Display(path));
    if (::symlinkat(link.target, dir.get(), name.c_str()) != 0 && errno != EEXIST)
      return Error::Sys("symlink " + root.Display(path) + " -> " + link.target);
  }
  return Ok();
}

}  // namespace berth::rootfs

#include "runtime/rootfs/mount_util.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include "runtime/rootfs/mount_options.h"

namespace berth::rootfs {
namespace {

constexpr unsigned long kLockable = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
constexpr unsigned long kAtime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME | MS_NODIRATIME;

const std::string& Or(const std::string& a, const std::string& b) { return a.empty() ? b : a; }

int Syscall(const std::string& source, const std::string& target, const char* type,
            unsigned long flags, const std::string& data) {
  return ::mount(source.empty() ? nullptr : source.c_str(), target.c_str(), type, flags,
                 data.empty() ? nullptr : data.c_str());
}

}  // namespace

Status Mount(const std::string& source, const std::string& target, const std::string& type,
             unsigned long flags, const std::string& data, const std::string& display) {
  if (Syscall(source, target, type.empty() ? nullptr : type.c_str(), flags, data) == 0)
    return Ok();
  std::string what = "mount " + (source.empty() ? std::string("none") : source) + " on " +
                     Or(display, target) + " (";
  if (!type.empty()) what += "type " + type + ", ";
  what += "flags " + FlagsString(flags);
  if (!data.empty()) what += ", data " + data;
  return Error::Sys(what + ")");
}

Result<unsigned long> CurrentMountFlags(const std::string& path, const std::string& display) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) != 0) return Error::Sys("statvfs " + Or(display, path));
  return StatvfsToMountFlags(st.f_flag);
}

Status RemountBind(const std::string& target, unsigned long flags, const std::string& display) {
  const unsigned long base = MS_REMOUNT | MS_BIND;
  if (Syscall("", target, nullptr, base | flags, "") == 0) return Ok();
  int err = errno;
  auto fail = [&](int e) {
    return Error::Sys("remount " + Or(display, target) + " (flags " +
                          FlagsString(base | flags) + ")",
                      e);
  };
  if (err != EPERM) return fail(err);
  auto current = CurrentMountFlags(target, display);
  if (!current.ok()) return fail(err);
  unsigned long retry = flags | (*current & kLockable);
  if (flags & kAtime) retry = (retry & ~kAtime) | (*current & kAtime);
  if (retry == flags) return fail(err);
  if (Syscall("", target, nullptr, base | retry, "") == 0) return Ok();
  return Error::Sys("remount " + Or(display, target) + " (flags " + FlagsString(base | retry) +
                    ", after EPERM with " + FlagsString(flags) + ")");
}

Status SetPropagation(const std::string& target, unsigned long flags,
                      const std::string& display) {
  if (Syscall("", target, nullptr, flags, "") == 0) return Ok();
  return Error::Sys("set propagation " + PropagationString(flags) + " on " +
                    Or(display, target));
}

}  // namespace berth::rootfs

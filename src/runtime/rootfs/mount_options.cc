#include "runtime/rootfs/mount_options.h"

#include <sys/mount.h>
#include <sys/statvfs.h>

#include <array>

#include "base/strings.h"

namespace berth::rootfs {
namespace {

struct FlagOption {
  std::string_view name;
  bool clear;  // true: the option clears the flag ("rw", "suid")
  unsigned long flag;
};

constexpr unsigned long kAtimeMask = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

constexpr std::array<FlagOption, 28> kFlagOptions{{
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"nosuid", false, MS_NOSUID},
    {"suid", true, MS_NOSUID},
    {"nodev", false, MS_NODEV},
    {"dev", true, MS_NODEV},
    {"noexec", false, MS_NOEXEC},
    {"exec", true, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"noatime", false, MS_NOATIME},
    {"atime", true, MS_NOATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"diratime", true, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"lazytime", false, MS_LAZYTIME},
    {"nolazytime", true, MS_LAZYTIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
    {"bind", false, MS_BIND},
}};

struct Named {
  std::string_view name;
  unsigned long flags;
};

constexpr std::array<Named, 8> kPropagations{{
    {"private", MS_PRIVATE},
    {"rprivate", MS_PRIVATE | MS_REC},
    {"shared", MS_SHARED},
    {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},
    {"rslave", MS_SLAVE | MS_REC},
    {"unbindable", MS_UNBINDABLE},
    {"runbindable", MS_UNBINDABLE | MS_REC},
}};

const FlagOption* FindFlag(std::string_view name) {
  for (const auto& f : kFlagOptions)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace

bool MountOptions::bind() const { return (flags & MS_BIND) != 0; }
bool MountOptions::recursive() const { return (flags & MS_REC) != 0; }

unsigned long MountOptions::RemountFlags() const {
  return flags & ~(MS_BIND | MS_REC | MS_REMOUNT | MS_SILENT);
}

MountOptions ParseMountOptions(const std::vector<std::string>& options) {
  MountOptions out;
  std::vector<std::string> data;
  for (const std::string& opt : options) {
    if (opt == "rbind") {
      out.flags |= MS_BIND | MS_REC;
    } else if (const FlagOption* f = FindFlag(opt)) {
      if (f->clear) {
        out.flags &= ~f->flag;
      } else {
        // The atime modes exclude one another: the last one wins.
        if (f->flag & kAtimeMask) out.flags &= ~kAtimeMask;
        out.flags |= f->flag;
      }
    } else if (auto prop = ParsePropagation(opt); prop.ok()) {
      out.propagation.push_back(*prop);
    } else if (opt == "tmpcopyup") {
      out.tmpcopyup = true;
    } else if (opt == "notmpcopyup") {
      out.tmpcopyup = false;
    } else if (!opt.empty()) {
      data.push_back(opt);
    }
  }
  out.data = str::Join(data, ",");
  return out;
}

Result<unsigned long> ParsePropagation(std::string_view name) {
  for (const auto& p : kPropagations)
    if (p.name == name) return p.flags;
  return Error::Invalid("unknown mount propagation \"" + std::string(name) + "\"");
}

Result<unsigned long> RootfsPropagation(std::string_view name) {
  if (name.empty()) return static_cast<unsigned long>(MS_SLAVE | MS_REC);
  return ParsePropagation(name).Context("linux.rootfsPropagation");
}

std::string FlagsString(unsigned long flags) {
  static constexpr std::array<Named, 20> kNames{{
      {"rdonly", MS_RDONLY},         {"nosuid", MS_NOSUID},      {"nodev", MS_NODEV},
      {"noexec", MS_NOEXEC},         {"sync", MS_SYNCHRONOUS},   {"remount", MS_REMOUNT},
      {"mand", MS_MANDLOCK},         {"dirsync", MS_DIRSYNC},    {"noatime", MS_NOATIME},
      {"nodiratime", MS_NODIRATIME}, {"bind", MS_BIND},          {"move", MS_MOVE},
      {"rec", MS_REC},               {"unbindable", MS_UNBINDABLE}, {"private", MS_PRIVATE},
      {"slave", MS_SLAVE},           {"shared", MS_SHARED},      {"relatime", MS_RELATIME},
      {"strictatime", MS_STRICTATIME}, {"lazytime", MS_LAZYTIME},
  }};
  std::vector<std::string> parts;
  for (const auto& n : kNames)
    if (flags & n.flags) parts.emplace_back(n.name);
  return parts.empty() ? "none" : str::Join(parts, ",");
}

std::string PropagationString(unsigned long flags) {
  for (const auto& p : kPropagations)
    if (p.flags == flags) return std::string(p.name);
  return FlagsString(flags);
}

unsigned long StatvfsToMountFlags(unsigned long f_flag) {
  static constexpr std::array<std::pair<unsigned long, unsigned long>, 7> kMap{{
      {ST_RDONLY, MS_RDONLY},
      {ST_NOSUID, MS_NOSUID},
      {ST_NODEV, MS_NODEV},
      {ST_NOEXEC, MS_NOEXEC},
      {ST_NOATIME, MS_NOATIME},
      {ST_NODIRATIME, MS_NODIRATIME},
      {ST_RELATIME, MS_RELATIME},
  }};
  unsigned long out = 0;
  for (const auto& [st, ms] : kMap)
    if (f_flag & st) out |= ms;
  return out;
}

}  // namespace berth::rootfs

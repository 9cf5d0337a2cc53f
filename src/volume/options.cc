// Names, the local driver's options, the API's Volume object, and the real
// mounter.
#include <fmt/format.h>
#include <sys/mount.h>

#include <regex>

#include "base/fs.h"
#include "base/random.h"
#include "base/strings.h"
#include "volume/volume.h"

namespace berth::volume {

nlohmann::json ToJson(const Volume& v) {
  auto map = [](const Labels& m, bool null) {
    return null && m.empty() ? nlohmann::json(nullptr) : nlohmann::json(m);
  };
  return {{"CreatedAt", v.created_at}, {"Driver", "local"},
          {"Labels", map(v.labels, v.labels_null)}, {"Mountpoint", v.mountpoint},
          {"Name", v.name}, {"Options", map(v.options, v.options_null)},
          {"Scope", "local"}};
}

Status ValidateName(const std::string& name) {
  static const std::regex re("^[a-zA-Z0-9][a-zA-Z0-9_.-]+$");
  if (name.size() == 1)
    return Error::Invalid(
        "volume name is too short, names should be at least two alphanumeric characters");
  if (std::regex_match(name, re)) return Ok();
  return Error::Invalid(fmt::format(
      "\"{}\" includes invalid characters for a local volume name, only "
      "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, "
      "use absolute path",
      name));
}

std::string RandomName() { return rnd::Hex(32); }

Result<LocalOptions> ParseOptions(const Labels& options) {
  LocalOptions o;
  for (const auto& [k, v] : options) {
    if (k == "type") {
      o.type = v;
    } else if (k == "device") {
      o.device = v;
    } else if (k == "o") {
      o.o = v;
    } else if (k == "size") {
      return Error::Invalid("quota size requested but no quota support");
    } else {
      return Error::Invalid(fmt::format("invalid option: \"{}\"", k));
    }
  }
  if (!options.empty() && o.device.empty())
    return Error::Invalid("missing required option: \"device\"");
  if (!options.empty() && o.type.empty())
    return Error::Invalid("missing required option: \"type\"");
  return o;
}

namespace {

class SysMounter : public Mounter {
 public:
  Status Mount(const std::string& source, const std::string& target, const std::string& type,
               unsigned long flags, const std::string& data) override {
    // A read-only bind needs a second, remounting call.
    unsigned long first = flags & MS_BIND ? flags & ~MS_RDONLY : flags;
    if (::mount(source.c_str(), target.c_str(), type.c_str(), first,
                data.empty() ? nullptr : data.c_str()) < 0)
      return Error::Sys(fmt::format("mount {} on {} (type {})", source, target, type));
    if ((flags & MS_BIND) && (flags & MS_RDONLY) &&
        ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) < 0) {
      Error e = Error::Sys("remount " + target + " read-only");
      ::umount2(target.c_str(), MNT_DETACH);
      return e;
    }
    return Ok();
  }
  Status Unmount(const std::string& target) override {
    if (::umount2(target.c_str(), MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
      return Error::Sys("unmount " + target);
    return Ok();
  }
  bool IsMounted(const std::string& target) override {
    auto info = fs::ReadFile("/proc/self/mountinfo");
    if (!info.ok()) return false;
    for (const std::string& line : str::Split(*info, '\n')) {
      std::vector<std::string> f = str::Split(line, ' ');
      if (f.size() > 4 && f[4] == target) return true;
    }
    return false;
  }
};

}  // namespace

std::unique_ptr<Mounter> SystemMounter() { return std::make_unique<SysMounter>(); }

}  // namespace berth::volume

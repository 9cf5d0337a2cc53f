// Devices: Docker's default cgroup rules, --device mappings,
// --device-cgroup-rule, and the host's devices for privileged containers.
#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/fs.h"
#include "base/strings.h"
#include "engine/spec/internal.h"

namespace berth::engine::spec {
namespace {

oci::DeviceCgroup Rule(bool allow, const char* type, std::optional<int64_t> major,
                       std::optional<int64_t> minor, const char* access) {
  oci::DeviceCgroup r;
  r.allow = allow;
  r.type = type;
  r.major = major;
  r.minor = minor;
  r.access = access;
  return r;
}

// One device node; nullopt when path is not a block or character device.
Result<std::optional<oci::Device>> DeviceAt(const std::string& host_path,
                                            const std::string& container_path) {
  struct stat st;
  if (::stat(host_path.c_str(), &st) < 0) return Error::Sys("stat " + host_path);
  oci::Device d;
  if (S_ISCHR(st.st_mode)) {
    d.type = "c";
  } else if (S_ISBLK(st.st_mode)) {
    d.type = "b";
  } else {
    return std::optional<oci::Device>();
  }
  d.path = container_path;
  d.major = major(st.st_rdev);
  d.minor = minor(st.st_rdev);
  d.file_mode = st.st_mode & 0777;
  d.uid = st.st_uid;
  d.gid = st.st_gid;
  return std::optional<oci::Device>(d);
}

// Walks dir, calling f(host path, relative path) for each device node.
Status WalkDevices(const std::string& dir, const std::string& rel, bool skip_special,
                   const std::function<void(oci::Device)>& f) {
  std::vector<std::string> names = BERTH_TRY(fs::ListDir(dir));
  for (const std::string& name : names) {
    std::string host = fs::Join(dir, name);
    std::string sub = rel + "/" + name;
    struct stat st;
    if (::lstat(host.c_str(), &st) < 0) continue;  // gone meanwhile
    if (S_ISDIR(st.st_mode)) {
      if (skip_special && rel.empty() &&
          (name == "pts" || name == "shm" || name == "fd" || name == "mqueue" || name == ".lxc" ||
           name == ".lxd-mounts" || name == ".udev"))
        continue;
      BERTH_TRY(WalkDevices(host, sub, skip_special, f));
      continue;
    }
    if (skip_special && rel.empty() && (name == "console" || name == "ptmx")) continue;
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) continue;
    auto d = DeviceAt(host, sub);
    if (d.ok() && d->has_value()) f(**d);
  }
  return Ok();
}

}  // namespace

bool ValidDeviceMode(const std::string& mode) {
  if (mode.empty() || mode.size() > 3) return false;
  std::string seen;
  for (char c : mode) {
    if (c != 'r' && c != 'w' && c != 'm') return false;
    if (seen.find(c) != std::string::npos) return false;
    seen += c;
  }
  return true;
}

Result<DeviceMapping> ParseDevice(const std::string& spec) {
  std::vector<std::string> parts = str::Split(spec, ':');
  DeviceMapping d;
  switch (parts.size()) {
    case 3:
      if (!ValidDeviceMode(parts[2]))
        return Error::Invalid("invalid device mode: " + parts[2]);
      d.permissions = parts[2];
      d.path_in_container = parts[1];
      break;
    case 2:
      if (ValidDeviceMode(parts[1])) {
        d.permissions = parts[1];
      } else {
        d.path_in_container = parts[1];
      }
      break;
    case 1:
      break;
    default:
      return Error::Invalid("invalid device specification: " + spec);
  }
  d.path_on_host = parts[0];
  if (d.path_in_container.empty()) d.path_in_container = d.path_on_host;
  if (d.path_on_host.empty() || d.path_on_host[0] != '/')
    return Error::Invalid(d.path_on_host + " is not an absolute path");
  if (d.path_in_container[0] != '/')
    return Error::Invalid(d.path_in_container + " is not an absolute path");
  return d;
}

Result<oci::DeviceCgroup> ParseDeviceCgroupRule(const std::string& rule) {
  // "c 1:3 rwm", "a *:* m"; major and minor may be '*'.
  auto bad = [&] { return Error::Invalid("invalid device cgroup format '" + rule + "'"); };
  std::vector<std::string> f;
  for (const std::string& p : str::Split(rule, ' '))
    if (!p.empty()) f.push_back(p);
  if (f.size() != 3 || (f[0] != "a" && f[0] != "b" && f[0] != "c")) return bad();
  bool colon = false;
  auto [maj, min] = str::Cut(f[1], ':', &colon);
  if (!colon || !ValidDeviceMode(f[2])) return bad();
  oci::DeviceCgroup r;
  r.allow = true;
  r.type = f[0];
  r.access = f[2];
  auto num = [](const std::string& s, std::optional<int64_t>* out) {
    if (s == "*") return true;
    auto n = str::ParseUint(s);
    if (!n) return false;
    *out = static_cast<int64_t>(*n);
    return true;
  };
  if (!num(maj, &r.major) || !num(min, &r.minor)) return bad();
  return r;
}

Status ValidateDeviceCgroupRule(const std::string& rule) {
  BERTH_TRY(ParseDeviceCgroupRule(rule));
  return Ok();
}

std::vector<oci::DeviceCgroup> DefaultDeviceRules() {
  return {
      Rule(false, "", std::nullopt, std::nullopt, "rwm"),
      Rule(true, "c", 1, 5, "rwm"),     // /dev/zero
      Rule(true, "c", 1, 3, "rwm"),     // /dev/null
      Rule(true, "c", 1, 9, "rwm"),     // /dev/urandom
      Rule(true, "c", 1, 8, "rwm"),     // /dev/random
      Rule(true, "c", 5, 0, "rwm"),     // /dev/tty
      Rule(true, "c", 5, 1, "rwm"),     // /dev/console
      Rule(false, "c", 10, 229, "rwm"),  // /dev/fuse
  };
}

Status AddDevice(const DeviceMapping& m, std::vector<oci::Device>* devices,
                 std::vector<oci::DeviceCgroup>* rules) {
  auto ctx = "error gathering device information while adding custom device " +
             Quote(m.path_on_host);
  std::string host = m.path_on_host;
  // A symlink (/dev/disk/by-id/...) names the node it points to.
  char resolved[PATH_MAX];
  if (::realpath(host.c_str(), resolved) != nullptr) host = resolved;
  std::optional<oci::Device> d = BERTH_TRY_CTX(DeviceAt(host, m.path_in_container), ctx);
  auto add = [&](oci::Device dev) {
    rules->push_back(Rule(true, dev.type.c_str(), dev.major, dev.minor, m.permissions.c_str()));
    devices->push_back(std::move(dev));
  };
  if (d) {
    add(*d);
    return Ok();
  }
  if (!fs::IsDir(host)) return Error::Invalid(ctx + ": not a device node");
  // A directory: every device under it, at the same place under the
  // container path.
  return WalkDevices(host, "", false, [&](oci::Device dev) {
    dev.path = fs::Clean(m.path_in_container + dev.path);
    add(std::move(dev));
  }).Context(ctx);
}

Result<std::vector<oci::Device>> HostDevices() {
  std::vector<oci::Device> out;
  BERTH_TRY_CTX(WalkDevices("/dev", "", true,
                            [&](oci::Device d) {
                              d.path = "/dev" + d.path;
                              out.push_back(std::move(d));
                            }),
                "list host devices");
  return out;
}

}  // namespace berth::engine::spec

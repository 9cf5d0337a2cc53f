// The spec's mounts, as moby's WithMounts assembles them.
#include <algorithm>
#include <set>

#include "base/fs.h"
#include "base/strings.h"
#include "engine/spec/internal.h"

namespace berth::engine::spec {
namespace {

std::vector<oci::Mount> DefaultMounts() {
  return {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts",
       "devpts",
       "devpts",
       {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
      {"/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid", "noexec", "nodev"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
  };
}

void ClearReadOnly(oci::Mount* m) {
  m->options.erase(std::remove(m->options.begin(), m->options.end(), "ro"), m->options.end());
}

size_t Depth(const std::string& path) { return str::Split(fs::Clean(path), '/').size(); }

Result<oci::Mount> TmpfsMount(const std::string& dest, const std::string& data) {
  std::vector<std::string> opts = {"noexec", "nosuid", "nodev", "rprivate"};
  if (!data.empty())
    for (const std::string& o : str::Split(data, ',')) opts.push_back(o);
  std::vector<std::string> merged =
      BERTH_TRY_CTX(MergeTmpfsOptions(opts), "tmpfs on " + dest);
  return oci::Mount{fs::Clean(dest), "tmpfs", "tmpfs", merged};
}

oci::Mount BindMount(const std::string& src, const std::string& dest, bool read_only,
                     const std::string& propagation, bool recursive = true) {
  oci::Mount m{fs::Clean(dest), "bind", src, {recursive ? "rbind" : "bind"}};
  if (read_only) m.options.push_back("ro");
  m.options.push_back(propagation.empty() ? "rprivate" : propagation);
  return m;
}

// The engine's binds and volumes (in.mounts), then Tmpfs and the tmpfs
// entries of Mounts.
Result<std::vector<oci::Mount>> UserMounts(const SpecInput& in, const json& h) {
  std::vector<oci::Mount> out = in.mounts;
  if (Has(h, "Tmpfs") && h["Tmpfs"].is_object()) {
    for (const auto& [dest, data] : h["Tmpfs"].items())
      out.push_back(BERTH_TRY(TmpfsMount(dest, data.is_string() ? data.get<std::string>() : "")));
  }
  if (Has(h, "Mounts") && h["Mounts"].is_array()) {
    for (const json& m : h["Mounts"]) {
      BERTH_TRY(ValidateMount(m));
      if (Str(m, "Type") == "tmpfs")
        out.push_back(BERTH_TRY(TmpfsMount(Str(m, "Target"), TmpfsOptionsString(m))));
    }
  }
  return out;
}

}  // namespace

Result<std::vector<oci::Mount>> BuildMounts(const SpecInput& in, const json& h) {
  bool privileged = Bool(h, "Privileged");
  bool readonly = Bool(h, "ReadonlyRootfs");
  std::vector<oci::Mount> user = BERTH_TRY(UserMounts(in, h));
  // The /etc files count as user mounts: a user mount does not replace them
  // silently and read-only roots make them read-only here.
  const std::pair<const std::string*, const char*> etc[] = {
      {&in.resolv_conf_path, "/etc/resolv.conf"},
      {&in.hostname_path, "/etc/hostname"},
      {&in.hosts_path, "/etc/hosts"}};
  std::set<std::string> user_dests;
  for (const oci::Mount& m : user) user_dests.insert(m.destination);
  for (const auto& [path, dest] : etc) {
    if (path->empty() || user_dests.count(dest)) continue;
    user.push_back(BindMount(*path, dest, readonly, ""));
    user_dests.insert(dest);
  }
  std::stable_sort(user.begin(), user.end(), [](const oci::Mount& a, const oci::Mount& b) {
    return Depth(a.destination) < Depth(b.destination);
  });

  std::vector<oci::Mount> out;
  auto replaced = [&](const std::string& dest) {
    return user_dests.count(dest) ||
           (user_dests.count("/dev") && str::StartsWith(dest, "/dev/"));
  };
  for (oci::Mount& m : DefaultMounts()) {
    if (replaced(m.destination)) continue;
    if (privileged && (m.destination == "/sys" || m.type == "cgroup")) ClearReadOnly(&m);
    if (readonly && m.destination != "/proc" && !str::StartsWith(m.destination, "/dev") &&
        std::find(m.options.begin(), m.options.end(), "ro") == m.options.end())
      m.options.push_back("ro");
    out.push_back(std::move(m));
  }
  // /dev/shm: a private tmpfs of ShmSize, the host's with --ipc host, none
  // with --ipc none. (shareable and container:NAME get a private one too:
  // the engine does not share /dev/shm between containers yet.)
  std::string ipc = Str(h, "IpcMode");
  if (!replaced("/dev/shm")) {
    if (ipc == "host") {
      out.push_back(BindMount("/dev/shm", "/dev/shm", false, ""));
    } else if (ipc != "none") {
      int64_t size = Int(h, "ShmSize", 64 << 20);
      if (size <= 0) size = 64 << 20;
      out.push_back({"/dev/shm",
                     "tmpfs",
                     "shm",
                     {"nosuid", "noexec", "nodev", "mode=1777", "size=" + std::to_string(size)}});
    }
  }
  for (oci::Mount& m : user) out.push_back(std::move(m));
  if (Bool(h, "Init")) {
    if (in.init_path.empty()) return Error::Invalid("--init: no init binary is configured");
    out.push_back({"/sbin/docker-init", "bind", in.init_path, {"bind", "ro"}});
  }
  return out;
}

}  // namespace berth::engine::spec

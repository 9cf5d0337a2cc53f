#include "runtime/cgroups/cgroups.h"

#include "base/fs.h"
#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/v1.h"
#include "runtime/cgroups/v2.h"

namespace berth::cgroups {

Result<Version> DetectVersion(const Options& opts) {
  Layout layout = BERTH_TRY(LoadLayout(opts));
  return layout.version;
}

Result<std::unique_ptr<Manager>> Manager::Open(std::string_view cgroups_path, std::string_view id,
                                               const Options& opts) {
  std::string what = "open cgroup";
  Layout layout = BERTH_TRY_CTX(LoadLayout(opts), what);
  std::string path = BERTH_TRY_CTX(NormalizeCgroupsPath(cgroups_path, id, opts.systemd), what);
  std::map<std::string, std::string> own;
  if (path.front() != '/') {
    std::string text = BERTH_TRY_CTX(fs::ReadFile(fs::Join(opts.proc_self, "cgroup")), what);
    own = ParseProcCgroup(text);
  }
  auto dir_in = [&](const Hierarchy& h) {
    return fs::Clean(h.mount_point + "/" + ResolveIn(h, path, own));
  };
  if (layout.version == Version::kV2) {
    const Hierarchy& h = *layout.unified;
    std::string dir = dir_in(h);
    if (dir == fs::Clean(h.mount_point))
      return Error::Invalid(what + ": cgroupsPath \"" + std::string(cgroups_path) +
                            "\" resolves to the root cgroup");
    return NewV2Manager(h.mount_point, dir);
  }
  std::vector<V1Dir> dirs;
  for (const auto& h : layout.v1) {
    std::string dir = dir_in(h);
    if (dir == fs::Clean(h.mount_point))
      return Error::Invalid(what + ": cgroupsPath \"" + std::string(cgroups_path) +
                            "\" resolves to the root cgroup of " + h.name);
    dirs.push_back(V1Dir{h, dir});
  }
  std::optional<std::string> unified;
  if (layout.unified) unified = dir_in(*layout.unified);
  return NewV1Manager(std::move(dirs), std::move(unified));
}

}  // namespace berth::cgroups

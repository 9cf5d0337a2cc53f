// A container's binds and volumes: resolved at create (Docker's
// registerMountPoints order), set up at each start (bind sources, volume
// mounts, copy-up), released when it stops, removed with rm -v.
#include <fcntl.h>
#include <sys/mount.h>

#include <algorithm>
#include <map>

#include "base/fs.h"
#include "base/log.h"
#include "base/scope_guard.h"
#include "engine/engine_impl.h"
#include "engine/fs/in_root.h"

namespace berth::engine {
namespace {

using volume::MountPoint;

std::vector<std::string> Strs(const json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it != j.end() && it->is_array())
    for (const json& s : *it)
      if (s.is_string()) out.push_back(s.get<std::string>());
  return out;
}

oci::Mount BindOf(const MountPoint& m) {
  oci::Mount o{m.destination, "bind", m.source, {m.non_recursive ? "bind" : "rbind"}};
  if (!m.rw) o.options.push_back("ro");
  o.options.push_back(m.propagation.empty() ? "rprivate" : m.propagation);
  return o;
}

}  // namespace

Result<std::vector<MountPoint>> Engine::Impl::ResolveMounts(const Container& c) {
  std::map<std::string, MountPoint> by_dest;
  // 1. --volumes-from: the other container's binds and volumes, ro/rw as asked.
  for (const std::string& spec : Strs(c.host_config, "VolumesFrom")) {
    auto [name, mode] = BERTH_TRY(volume::ParseVolumesFrom(spec));
    auto found = Find(name);
    // dockerd answers 400 here (a 404 would make docker run try a pull).
    if (!found.ok()) return Error::Invalid(found.error().message());
    ContainerPtr from = *found;
    std::lock_guard lock(from->mu);
    for (MountPoint m : from->mounts) {
      if (m.type == "tmpfs") continue;
      if (mode == "ro") m.rw = false;
      if (mode == "rw") m.rw = true;
      m.copy_data = false;
      by_dest[m.destination] = m;
    }
  }
  // 2. Binds, 3. Mounts (a destination twice among them was refused by
  // NormalizeHostConfig).
  for (const std::string& b : Strs(c.host_config, "Binds")) {
    MountPoint m = BERTH_TRY(volume::ParseBind(b));
    by_dest[m.destination] = m;
  }
  auto mounts = c.host_config.find("Mounts");
  if (mounts != c.host_config.end() && mounts->is_array())
    for (const json& j : *mounts) {
      MountPoint m = BERTH_TRY(volume::ParseMount(j));
      by_dest[m.destination] = m;
    }
  // 4. Config.Volumes (VOLUME in the image, -v /path): anonymous volumes
  // where nothing else is mounted.
  auto vols = c.config.find("Volumes");
  if (vols != c.config.end() && vols->is_object())
    for (auto& [dest, _] : vols->items()) {
      if (dest.empty() || dest[0] != '/') continue;
      std::string d = berth::fs::Clean(dest);
      if (by_dest.count(d)) continue;
      MountPoint m;
      m.destination = d;
      by_dest[d] = m;
    }
  std::vector<MountPoint> out;
  out.reserve(by_dest.size());
  for (auto& [dest, m] : by_dest) out.push_back(std::move(m));
  return out;
}

bool HasVolumes(const std::vector<MountPoint>& mounts) {
  return std::any_of(mounts.begin(), mounts.end(),
                     [](const MountPoint& m) { return m.type == "volume"; });
}

Status Engine::Impl::CreateVolumes(Container& c, std::vector<std::string>* made) {
  for (MountPoint& m : c.mounts) {
    if (m.type != "volume") continue;
    bool existed = !m.name.empty() && volumes->Get(m.name).ok();
    auto v = volumes->Create(m.name, m.volume_labels, m.volume_options, m.volume_labels.empty(),
                             m.volume_options.empty());
    if (!v.ok()) return std::move(v).error().Context("create " + m.name);
    if (!existed) {
      if (m.name.empty()) made->push_back(v->name);
      PublishVolume("create", v->name);
    }
    m.name = v->name;
    m.source = v->mountpoint;
  }
  return Ok();
}

void Engine::Impl::RemoveMadeVolumes(const std::vector<std::string>& made) {
  for (const std::string& n : made) {
    if (Status st = volumes->Remove(n); !st.ok()) {
      log::Warn("remove volume {}: {}", n, st.error().message());
      continue;
    }
    PublishVolume("destroy", n);
  }
}

Result<std::vector<oci::Mount>> Engine::Impl::SetupMounts(const Container& c,
                                                          const std::string& merged) {
  std::vector<oci::Mount> out;
  std::vector<std::string> acquired;
  ScopeGuard undo([&] {
    for (const std::string& n : acquired) volumes->Release(n, c.id);
  });
  std::vector<std::string> binds = Strs(c.host_config, "Binds");
  for (const MountPoint& m : c.mounts) {
    if (m.type == "tmpfs") continue;  // the spec builder's (HostConfig.Mounts)
    if (m.type == "bind") {
      // -v creates a missing host path (--mount does not: it was checked).
      if (!m.from_mounts && !berth::fs::Exists(m.source))
        BERTH_TRY_CTX(berth::fs::MkdirAll(m.source, 0755), "create bind source " + m.source);
      out.push_back(BindOf(m));
      continue;
    }
    std::string path = BERTH_TRY(volumes->Acquire(m.name, c.id));
    acquired.push_back(m.name);
    PublishVolume("mount", m.name,
                  {{"container", c.id}, {"destination", m.destination},
                   {"read/write", m.rw ? "true" : "false"}, {"propagation", m.propagation}});
    if (m.copy_data) {
      // The image's content at the destination, as the container sees it
      // (symlinks resolved inside the rootfs).
      auto root = fs::OpenRoot(merged);
      if (root.ok()) {
        auto dir = fs::OpenInRoot(root->get(), m.destination, O_RDONLY | O_DIRECTORY);
        if (dir.ok())
          BERTH_TRY_CTX(volumes->CopyUp(m.name, fs::ProcFdPath(dir->get())),
                        "copy image content into volume " + m.name);
      }
    }
    MountPoint bound = m;
    bound.source = path;
    out.push_back(BindOf(bound));
  }
  undo.Dismiss();
  return out;
}

void Engine::Impl::ReleaseMounts(const Container& c) {
  for (const MountPoint& m : c.mounts) {
    if (m.type != "volume") continue;
    if (!volumes->Users(m.name).count(c.id)) continue;
    volumes->Release(m.name, c.id);
    PublishVolume("unmount", m.name, {{"container", c.id}});
  }
}

void Engine::Impl::HoldMounts(const Container& c) {
  for (const MountPoint& m : c.mounts)
    if (m.type == "volume") volumes->Hold(m.name, c.id);
}

void Engine::Impl::RemoveAnonymousVolumes(const Container& c) {
  std::lock_guard vl(volumes_mu);
  for (const MountPoint& m : c.mounts) {
    // Named volumes (-v name:/p, --mount src=name) are never removed here;
    // one another container still names is kept.
    if (m.type != "volume" || m.named) continue;
    auto v = volumes->Get(m.name);
    if (!v.ok() || !VolumeReferences(m.name).empty()) continue;
    if (auto st = volumes->Remove(m.name); !st.ok()) {
      log::Warn("remove volume {}: {}", m.name, st.error().message());
      continue;
    }
    PublishVolume("destroy", m.name);
  }
}

Status Engine::Impl::WithVolumesMounted(const Container& c, const std::string& merged,
                                        const std::function<Status()>& fn) {
  std::vector<std::string> mounted;
  ScopeGuard undo([&] {
    for (auto it = mounted.rbegin(); it != mounted.rend(); ++it) ::umount2(it->c_str(), MNT_DETACH);
  });
  std::vector<MountPoint> ms = c.mounts;
  std::stable_sort(ms.begin(), ms.end(), [](const MountPoint& a, const MountPoint& b) {
    return a.destination.size() < b.destination.size();
  });
  for (const MountPoint& m : ms) {
    if (m.type == "tmpfs" || m.source.empty() || !berth::fs::Exists(m.source)) continue;
    auto root = fs::OpenRoot(merged);
    if (!root.ok()) return std::move(root).error();
    // The mount point inside the rootfs, resolved there (made when missing).
    auto dir = fs::OpenInRoot(root->get(), m.destination, O_PATH | O_DIRECTORY);
    if (!dir.ok()) continue;
    auto where = fs::ContainerPathOf(root->get(), dir->get());
    if (!where.ok()) continue;
    std::string target = berth::fs::Join(merged, *where);
    if (::mount(m.source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
      return Error::Sys("mount " + m.source + " on " + target);
    mounted.push_back(target);
    if (!m.rw &&
        ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) < 0)
      return Error::Sys("remount " + target + " read-only");
  }
  return fn();
}

}  // namespace berth::engine

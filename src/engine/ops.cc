// update, top, stats, and the filesystem operations (diff, commit, export,
// cp) over a container's overlay.
#include <sys/mount.h>

#include "base/fs.h"
#include "base/scope_guard.h"
#include "engine/engine_impl.h"
#include "engine/fs/container_fs.h"
#include "engine/spec/spec_builder.h"
#include "runtime/cgroups/cgroups.h"
#include "runtime/launch.h"
#include "engine/stats/stats_json.h"
#include "base/unique_fd.h"

#include <fcntl.h>
#include <thread>
#include <optional>

namespace berth::engine {

Status MountRootfs(Engine::Impl& m, const Container& c);

namespace {

// The paths berthd manages inside a container, excluded from diff/commit.
std::vector<std::string> Excluded() { return {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf"}; }

// Runs fn with the container's merged rootfs mounted: the running
// container's own mount, or a temporary one for a stopped container.
// With volumes, the container's volumes and binds are mounted over it too,
// as docker's cp sees them (export and commit leave them out).
Status WithRootfs(Engine::Impl& m, const ContainerPtr& c, const std::function<Status(const std::string&)>& fn,
                  bool volumes = false) {
  std::unique_lock op(c->op_mu);
  bool running;
  {
    std::lock_guard lock(c->mu);
    running = c->Running();
  }
  std::string merged = m.MergedDir(c->id);
  auto run = [&]() -> Status {
    if (!volumes) return fn(merged);
    return m.WithVolumesMounted(*c, merged, [&] { return fn(merged); });
  };
  if (running) return run();
  BERTH_TRY(MountRootfs(m, *c));
  ScopeGuard unmount([&] { ::umount2(merged.c_str(), MNT_DETACH); });
  return run();
}

// The /etc files berthd bind-mounts are read from the container's directory
// (the overlay below them holds the image's): {root, path} to archive.
std::pair<std::string, std::string> EtcFile(Engine::Impl& m, const Container& c,
                                            const std::string& merged, const std::string& path) {
  std::string clean = berth::fs::Clean(path);
  for (const char* f : {"hostname", "hosts", "resolv.conf"})
    if (clean == std::string("/etc/") + f) return {m.ContainerDir(c.id), std::string("/") + f};
  return {merged, path};
}

}  // namespace

Result<std::vector<std::string>> Engine::Update(const std::string& name, const json& body) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  std::lock_guard op(c->op_mu);
  json hc;
  bool running;
  {
    std::lock_guard lock(c->mu);
    hc = c->host_config;
    running = c->Running();
  }
  // As docker: a new memory limit above the swap limit already set needs a
  // new swap limit too.
  auto num = [](const json& j, const char* k) -> int64_t {
    return j.contains(k) && j[k].is_number() ? j[k].get<int64_t>() : 0;
  };
  if (num(body, "Memory") != 0 && num(hc, "MemorySwap") > 0 && num(body, "Memory") > num(hc, "MemorySwap") &&
      num(body, "MemorySwap") == 0)
    return Error::Invalid("Cannot update container " + c->id +
                          ": Memory limit should be smaller than already set memoryswap limit, update the "
                          "memoryswap at the same time");
  for (auto& [k, v] : body.items()) {
    if (k == "RestartPolicy") {
      hc[k] = v;
      continue;
    }
    // Zero means "unchanged" for the resource fields of an update.
    if (v.is_null() || (v.is_number() && v.get<double>() == 0) || (v.is_string() && v.get<std::string>().empty()))
      continue;
    hc[k] = v;
  }
  if (body.contains("RestartPolicy") && hc.value("AutoRemove", false) &&
      body["RestartPolicy"].value("Name", "") != "" && body["RestartPolicy"].value("Name", "") != "no")
    return Error::Invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
  hc = BERTH_TRY(NormalizeHostConfig(hc));
  if (running) {
    SpecInput in;
    in.id = c->id;
    in.config = c->config;
    in.host_config = hc;
    in.rootfs = m.MergedDir(c->id);
    in.cgroup_parent = m.opts.cgroup_parent;
    oci::Spec spec = BERTH_TRY(BuildSpec(in));
    if (spec.linux.resources) {
      auto mgr = BERTH_TRY(cgroups::Manager::Open(spec.linux.cgroups_path, c->id, runtime::CgroupOptions(false)));
      BERTH_TRY_CTX(mgr->Apply(*spec.linux.resources), "Cannot update container " + c->id);
    }
  }
  std::lock_guard lock(c->mu);
  c->host_config = hc;
  BERTH_TRY(m.Save(*c));
  m.Publish("update", *c);
  return std::vector<std::string>{};
}

Result<json> Engine::Changes(const std::string& name) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  std::string lower = BERTH_TRY(m.opts.images->LayerDirs(c->image_id));
  auto changes = BERTH_TRY(fs::Changes(berth::fs::Join(m.ContainerDir(c->id), "fs/upper"), lower, Excluded()));
  return fs::ToJson(changes);
}

Status Engine::Export(const std::string& name, int out_fd) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  BERTH_TRY(WithRootfs(m, c, [&](const std::string& merged) { return fs::ExportRootfs(merged, Excluded(), out_fd); }));
  m.Publish("export", *c);
  return Ok();
}

Result<std::string> Engine::ArchiveStat(const std::string& name, const std::string& path) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  std::string header;
  BERTH_TRY(WithRootfs(m, c, [&](const std::string& merged) -> Status {
    auto [root, p] = EtcFile(m, *c, merged, path);
    auto st = fs::StatPath(root, p, c->id);
    if (!st.ok()) {
      if (st.error().code() == Code::kNotFound)
        return Error(Code::kNotFound, "Could not find the file " + path + " in container " + name);
      return std::move(st).error();
    }
    header = fs::EncodeStatHeader(*st);
    return Ok();
  }, true));
  return header;
}

Status Engine::ArchiveGet(const std::string& name, const std::string& path, int out_fd,
                          std::string* stat_header) {
  (void)stat_header;
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  return WithRootfs(m, c, [&](const std::string& merged) {
    auto [root, p] = EtcFile(m, *c, merged, path);
    return fs::ArchivePath(root, p, out_fd, c->id);
  }, true);
}

Status Engine::ArchivePut(const std::string& name, const std::string& path, int in_fd,
                          bool no_overwrite_dir_non_dir, bool copy_uid_gid) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  {
    std::lock_guard lock(c->mu);
    if (c->host_config.value("ReadonlyRootfs", false) && c->Running())
      return Error(Code::kPermissionDenied, "container rootfs is marked read-only");
  }
  // Into a read-only volume or bind: refused, as docker's cp.
  std::string dest = berth::fs::Clean(path.empty() || path[0] != '/' ? "/" + path : path);
  for (const volume::MountPoint& mp : c->mounts)
    if (!mp.rw && mp.type != "tmpfs" &&
        (dest == mp.destination || dest.rfind(mp.destination + "/", 0) == 0))
      return Error(Code::kPermissionDenied, "mounted volume is marked read-only");
  std::string user;
  {
    std::lock_guard lock(c->mu);
    user = c->config.value("User", "");
  }
  return WithRootfs(m, c, [&](const std::string& merged) {
    return fs::ExtractToPath(merged, path, in_fd, no_overwrite_dir_non_dir, copy_uid_gid, user,
                             c->id);
  }, true);
}

Result<json> Engine::Top(const std::string& name, const std::string& ps_args) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  {
    std::lock_guard lock(c->mu);
    if (!c->Running()) return Error(Code::kConflict, "Container " + c->id + " is not running");
  }
  BERTH_TRY(stats::ValidatePsArgs(ps_args));
  std::vector<pid_t> pids = BERTH_TRY(runtime::Pids(m.rt, c->id));
  stats::TopResult top = BERTH_TRY(stats::Top(pids, ps_args.empty() ? "-ef" : ps_args));
  return stats::ToJson(top);
}

Status Engine::Stats(const std::string& name, bool stream,
                     const std::function<Status(const json&)>& write,
                     const std::function<bool()>& client_gone) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  std::unique_ptr<cgroups::Manager> mgr;
  std::optional<stats::Sample> prev;
  for (;;) {
    bool running;
    std::string cname;
    {
      std::lock_guard lock(c->mu);
      running = c->Running() && !c->removed;
      cname = c->name;
    }
    json j;
    if (running && !mgr) {
      auto opened = cgroups::Manager::Open(m.opts.cgroup_parent + "/" + c->id, c->id,
                                           runtime::CgroupOptions(false));
      if (opened.ok()) mgr = std::move(*opened);
    }
    std::optional<stats::Sample> cur;
    if (running && mgr)
      if (auto s = stats::Collect(*mgr); s.ok()) cur = std::move(*s);
    if (cur) {
      j = stats::ToJson(*cur, prev ? &*prev : nullptr, cname, c->id);
      prev = std::move(cur);
    } else {
      // A stopped container: Docker's all-zero sample.
      stats::Sample zero;
      zero.read = "0001-01-01T00:00:00Z";
      j = stats::ToJson(zero, nullptr, cname, c->id);
    }
    BERTH_TRY(write(j));
    if (!stream) return Ok();
    // The sample period: one second, ended early when the client leaves.
    for (int i = 0; i < 10; i++) {
      if (client_gone && client_gone()) return Ok();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    std::lock_guard lock(c->mu);
    if (c->removed) return Ok();
  }
}

Result<std::string> Engine::Commit(const std::string& name, const std::string& repo_tag,
                                   const std::string& comment, const std::string& author,
                                   const std::vector<std::string>& changes, bool pause,
                                   const json* config) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  bool paused_here = false;
  {
    std::lock_guard lock(c->mu);
    if (pause && c->state.status == ContainerStatus::kRunning) {
      BERTH_TRY_CTX(runtime::Pause(m.rt, c->id), "pause for commit");
      paused_here = true;
      m.Publish("pause", *c);  // docker's commit logs the pause and unpause
    }
  }
  ScopeGuard resume([&] {
    if (paused_here && runtime::Resume(m.rt, c->id).ok()) m.Publish("unpause", *c);
  });
  std::string dir = m.ContainerDir(c->id);
  std::string tar_path = berth::fs::Join(dir, "commit.tar");
  ScopeGuard cleanup([&] { ::unlink(tar_path.c_str()); });
  {
    unique_fd out = BERTH_TRY(berth::fs::Open(tar_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    BERTH_TRY(fs::PackChanges(berth::fs::Join(dir, "fs/upper"), Excluded(), out.get()));
  }
  if (paused_here) {
    if (runtime::Resume(m.rt, c->id).ok()) m.Publish("unpause", *c);
    paused_here = false;
  }
  image::CommitOptions o;
  {
    std::lock_guard lock(c->mu);
    o.parent = c->image_id;
    o.config = c->config;
    o.container_config = c->config;
    o.container_id = c->id;
  }
  if (config && config->is_object())
    for (auto& [k, v] : config->items())
      if (!v.is_null()) o.config[k] = v;
  o.layer_path = tar_path;
  o.changes = changes;
  o.author = author;
  o.comment = comment;
  o.ref = repo_tag;
  std::string id = BERTH_TRY(m.opts.images->Commit(o));
  m.Publish("commit", *c, {{"comment", comment}, {"author", author}});
  return id;
}

Result<std::string> Engine::CommitStep(const std::string& name, const json& config,
                                       const json& container_config, const std::string& author) {
  Impl& m = *impl_;
  ContainerPtr c = BERTH_TRY(m.Find(name));
  std::string dir = m.ContainerDir(c->id);
  std::string tar_path = berth::fs::Join(dir, "commit.tar");
  ScopeGuard cleanup([&] { ::unlink(tar_path.c_str()); });
  image::CommitOptions o;
  {
    std::lock_guard lock(c->mu);
    o.parent = c->image_id;
    o.container_id = c->id;
  }
  {
    // No change (the upper dir may still hold the mount targets berthd
    // made, e.g. /etc/hosts): the empty tar, so the step adds no layer, as
    // docker's does.
    std::string lower = BERTH_TRY(m.opts.images->LayerDirs(o.parent));
    auto changes = BERTH_TRY(fs::Changes(berth::fs::Join(dir, "fs/upper"), lower, Excluded()));
    unique_fd out = BERTH_TRY(berth::fs::Open(tar_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (changes.empty())
      BERTH_TRY(berth::fs::WriteAll(out.get(), std::string(1024, '\0')));
    else
      BERTH_TRY(fs::PackChanges(berth::fs::Join(dir, "fs/upper"), Excluded(), out.get()));
  }
  o.config = config;
  o.container_config = container_config;
  o.layer_path = tar_path;
  o.author = author;
  std::string id = BERTH_TRY(m.opts.images->Commit(o));
  m.Publish("commit", *c, {{"comment", ""}, {"author", author}});
  return id;
}

}  // namespace berth::engine

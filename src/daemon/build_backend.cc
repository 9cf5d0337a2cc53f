#include "daemon/build_backend.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>

#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/stdcopy.h"
#include "base/strings.h"
#include "base/tempfile.h"
#include "build/layer_dir.h"
#include "build/temp.h"

namespace berth::daemon {
namespace {

using nlohmann::json;

// An image's filesystem: its only layer directory as is, or a read-only
// overlay of its layers.
class LayerView : public build::RootView {
 public:
  LayerView(std::string path, bool mounted) : path_(std::move(path)), mounted_(mounted) {}
  ~LayerView() override {
    if (mounted_) {
      ::umount2(path_.c_str(), MNT_DETACH);
      ::rmdir(path_.c_str());
    }
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  bool mounted_;
};

}  // namespace

EngineBuildBackend::EngineBuildBackend(engine::Engine* engine, image::ImageStore* images,
                                       std::string scratch_dir)
    : engine_(*engine), images_(*images), scratch_(std::move(scratch_dir)) {
  // COPY/ADD/WORKDIR layers are stored as directories; their tar is made
  // again from them for save and push.
  images_.SetLayerPacker(build::kLayerDirPacker, build::PackLayerDir);
  (void)fs::RemoveAll(scratch_);
  (void)fs::MkdirAll(scratch_, 0700);
}

Result<build::ImageInfo> EngineBuildBackend::GetImage(std::string_view name) {
  image::ImageRecord rec = BERTH_TRY(images_.Resolve(name));
  build::ImageInfo info;
  info.id = rec.id.str();
  info.config = json::parse(rec.config_json, nullptr, false);
  if (info.config.is_discarded()) return Error::Internal("image " + info.id + ": bad config");
  return info;
}

Result<std::optional<std::string>> EngineBuildBackend::FindCached(const std::string& parent,
                                                                  const json& cc) {
  // The parent's children, newest first (one indexed query); their
  // container_configs are read once per image and remembered (an image's
  // config never changes: its ID is its hash).
  for (const std::string& id : BERTH_TRY(images_.Children(parent))) {
    std::shared_ptr<const json> stored;
    {
      std::lock_guard lock(mu_);
      if (auto it = container_configs_.find(id); it != container_configs_.end()) stored = it->second;
    }
    if (!stored) {
      auto rec = images_.Resolve(id);
      if (!rec.ok()) continue;  // removed meanwhile
      json config = json::parse(rec->config_json, nullptr, false);
      auto it = config.is_object() ? config.find("container_config") : config.end();
      stored = std::make_shared<const json>(it == config.end() ? json() : std::move(*it));
      std::lock_guard lock(mu_);
      if (container_configs_.size() >= kMaxRemembered) container_configs_.clear();
      container_configs_[id] = stored;
    }
    if (*stored == cc) return std::optional<std::string>(id);
  }
  return std::optional<std::string>();
}

Result<std::string> EngineBuildBackend::CreateContainer(const json& body) {
  engine::CreateResult r = BERTH_TRY(engine_.Create(body, ""));
  return r.id;
}

Result<int> EngineBuildBackend::RunContainer(const std::string& id,
                                             const std::function<void(std::string_view)>& out) {
  BERTH_TRY(engine_.Start(id));
  // The container's output from its log, followed to its end.
  engine::LogsOptions lo;
  lo.follow = true;
  // RUN shows stdout and stderr alike; a system-error frame ends the step.
  auto show = [&](std::string_view d) -> Status {
    out(d);
    return Ok();
  };
  StdDemux demux(show, show);
  BERTH_TRY(engine_.Logs(id, lo, nullptr, [&](std::string_view data) { return demux.Feed(data); }, nullptr));
  return engine_.Wait(id, engine::WaitCondition::kNotRunning, nullptr, nullptr);
}

Result<std::string> EngineBuildBackend::CommitContainer(const std::string& id,
                                                        const build::CommitRequest& req) {
  return engine_.CommitStep(id, req.config, req.container_config, req.author);
}

Status EngineBuildBackend::RemoveContainer(const std::string& id) {
  return engine_.Remove(id, true, true);
}

Result<std::string> EngineBuildBackend::Commit(const build::CommitRequest& req) {
  image::CommitOptions o;
  o.parent = req.parent;
  o.config = req.config;
  o.container_config = req.container_config;
  o.author = req.author;
  // No tar and no directory: the store marks the step empty_layer.
  o.layer_path = req.layer_tar;
  if (!req.layer_dir.empty()) {
    o.layer_dir = req.layer_dir;
    o.layer_packer = build::kLayerDirPacker;
  }
  return images_.Commit(o);
}

Result<std::string> EngineBuildBackend::NewLayerDir() { return images_.NewLayerDir(); }

Result<std::unique_ptr<build::RootView>> EngineBuildBackend::View(const std::string& image_id) {
  if (image_id.empty()) return std::unique_ptr<build::RootView>(new LayerView("", false));
  std::string dirs = BERTH_TRY(images_.LayerDirs(image_id));
  if (dirs.empty()) return std::unique_ptr<build::RootView>(new LayerView("", false));
  if (dirs.find(':') == std::string::npos)
    return std::unique_ptr<build::RootView>(new LayerView(dirs, false));
  BERTH_TRY(fs::MkdirAll(scratch_, 0700));
  std::string tmpl = BERTH_TRY(fs::MakeTempDir(scratch_ + "/view-"));
  std::string opts = "lowerdir=" + dirs;
  if (::mount("overlay", tmpl.c_str(), "overlay", MS_RDONLY, opts.c_str()) != 0) {
    Error e = Error::Sys("mount overlay on " + tmpl);
    ::rmdir(tmpl.c_str());
    return e;
  }
  return std::unique_ptr<build::RootView>(new LayerView(tmpl, true));
}

Status EngineBuildBackend::Tag(const std::string& image_id, const std::string& ref) {
  return images_.Tag(image_id, ref);
}

}  // namespace berth::daemon

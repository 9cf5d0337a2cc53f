// ImageStore::Commit: a container's layer tar becomes a child image of the
// container's image, as moby's NewChildImage builds it.
#include <fcntl.h>
#include <sys/utsname.h>

#include "base/fs.h"
#include "base/scope_guard.h"
#include "base/strings.h"
#include "image/image_store.h"
#include "image/image_store_impl.h"
#include "image/import.h"
#include "image/layer/layer.h"
#include "image/layer/stream.h"
#include "image/manifest.h"

namespace berth::image {
namespace {

using nlohmann::json;

// sha256 of 1024 zero bytes: a tar with no entries, moby's empty layer.
constexpr char kEmptyTarDiffId[] =
    "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";

Result<RunConfig> RunConfigOf(const json& config) {
  if (config.is_null()) return RunConfig{};
  if (!config.is_object()) return Error::Invalid("commit: config: expected an object");
  ImageConfig parsed = BERTH_TRY_CTX(ParseImageConfig(json{{"config", config}}.dump()), "commit");
  return parsed.config;
}

std::string CreatedBy(const json& container_config) {
  auto it = container_config.find("Cmd");
  if (it == container_config.end() || !it->is_array()) return "";
  std::vector<std::string> parts;
  for (const json& p : *it)
    if (p.is_string()) parts.push_back(p.get<std::string>());
  return str::Join(parts, " ");
}

std::string HostArchitecture() {
  struct utsname u;
  if (::uname(&u) != 0) return "amd64";
  return NormalizePlatform({u.machine, "linux", "", {}, ""}).architecture;
}

}  // namespace

Result<std::string> ImageStore::Commit(const CommitOptions& o) {
  // A layer directory is ours from the start: moved into place or removed
  // (after the move, nothing is left at its old path), on every error too.
  ScopeGuard rm_dir([&] {
    if (!o.layer_dir.empty()) (void)fs::RemoveAll(o.layer_dir);
  });
  std::vector<std::string> tags;
  if (!o.ref.empty()) {
    ref::Reference r = BERTH_TRY(NormalizeTagged(o.ref));
    if (!r.digest.empty()) return Error::Invalid("refusing to create a tag with a digest reference");
    tags.push_back(r.Full());
  }
  ImageConfig cfg;
  cfg.config = BERTH_TRY(RunConfigOf(o.config));
  BERTH_TRY(ApplyChanges(o.changes, &cfg.config));

  unique_fd owned;
  int tar_fd = o.layer_fd;
  if (tar_fd < 0 && !o.layer_path.empty()) {
    owned = BERTH_TRY_CTX(fs::Open(o.layer_path, O_RDONLY | O_CLOEXEC), "commit");
    tar_fd = owned.get();
  }

  Pins pins(impl_.get());
  auto fail = [&](Error e) -> Error {
    impl_->Cleanup(pins);
    return std::move(e).Context("commit");
  };

  // The parent: its config and layers.
  std::vector<LayerPlan> layers;
  ImageConfig parent_cfg;
  std::string parent_id;
  if (!o.parent.empty()) {
    std::lock_guard lock(impl_->mu);
    Digest id = BERTH_TRY_CTX(impl_->ResolveIdLocked(o.parent), "commit");
    ImageRecord rec = BERTH_TRY_CTX(impl_->RecordLocked(id), "commit");
    parent_cfg = BERTH_TRY_CTX(ParseImageConfig(rec.config_json), "commit: parent image");
    parent_id = id.str();
    for (size_t i = 0; i < rec.chain_ids.size(); ++i) {
      LayerPlan l;
      l.chain_id = rec.chain_ids[i];
      l.diff_id = rec.diff_ids[i];
      if (i > 0) l.parent = rec.chain_ids[i - 1];
      l.size = BERTH_TRY_CTX(impl_->LayerSizeLocked(l.chain_id), "commit");
      layers.push_back(l);
    }
  }
  // A parent removed from here on keeps its layers until we are done (and
  // the publishing transaction checks that they are still there).
  for (const LayerPlan& l : layers) pins.Add(l.chain_id.str());

  // The layer: a tar becomes a blob named by its diff ID (then unpacked);
  // a directory is hashed through its packer and moved into place; none is
  // the empty layer.
  Digest diff = BERTH_TRY(Digest::Parse(kEmptyTarDiffId));
  if (tar_fd >= 0) {
    auto d = StoreDecompressed(*impl_->content, tar_fd);
    if (!d.ok()) return fail(std::move(d).error());
    diff = *d;
    pins.Add(diff.str());
  } else if (!o.layer_dir.empty()) {
    auto d = impl_->PackDiffId(o.layer_dir, o.layer_packer);
    if (!d.ok()) return fail(std::move(d).error());
    diff = *d;
  }
  const bool empty_layer = diff.str() == kEmptyTarDiffId;
  if (!empty_layer) {
    LayerPlan l;
    l.diff_id = diff;
    std::vector<Digest> ids;
    for (const LayerPlan& p : layers) ids.push_back(p.diff_id);
    ids.push_back(diff);
    l.chain_id = ChainId(ids);
    if (!layers.empty()) l.parent = layers.back().chain_id;
    Status s = Ok();
    if (tar_fd >= 0) {
      s = impl_->EnsureLayer(&l, pins);
    } else {
      l.packer = o.layer_packer;
      s = impl_->AdoptLayerDir(&l, o.layer_dir, pins);
    }
    if (!s.ok()) return fail(std::move(s).error());
    layers.push_back(l);
  }

  std::string created = FormatRfc3339Nano(Now());
  cfg.architecture = parent_id.empty() ? HostArchitecture() : parent_cfg.architecture;
  cfg.variant = parent_cfg.variant;
  cfg.os = parent_cfg.os.empty() ? "linux" : parent_cfg.os;
  cfg.os_version = parent_cfg.os_version;
  cfg.os_features = parent_cfg.os_features;
  cfg.created = created;
  cfg.author = o.author;
  for (const LayerPlan& l : layers) cfg.diff_ids.push_back(l.diff_id);
  cfg.history = parent_cfg.history;
  HistoryEntry h;
  h.created = created;
  h.created_by = CreatedBy(o.container_config);
  h.author = o.author;
  h.comment = o.comment;
  h.empty_layer = empty_layer;
  cfg.history.push_back(h);
  if (!o.container_id.empty()) cfg.raw["container"] = o.container_id;
  // Docker's image Comment is the commit message (docker commit -m).
  if (!o.comment.empty()) cfg.raw["comment"] = o.comment;
  cfg.raw["container_config"] =
      o.container_config.is_object() ? o.container_config : json::object();
  std::string config = EncodeImageConfig(cfg);

  ImagePlan plan;
  plan.config_json = config;
  plan.id = ImageId(config);
  plan.config = cfg;
  plan.layers = layers;
  plan.tags = tags;
  plan.parent = parent_id;
  auto stored = impl_->content->WriteBlob(config, plan.id);
  if (!stored.ok()) return fail(std::move(stored).error());
  pins.Add(plan.id.str());
  BERTH_TRY_CTX(impl_->Publish({plan}, pins, nullptr), "commit");
  if (!tags.empty()) {
    std::lock_guard lock(impl_->mu);
    BERTH_TRY(Exec(impl_->db, "UPDATE images SET last_tag_time=?2 WHERE id=?1", plan.id.str(),
                   FormatRfc3339Nano(Now())));
  }
  return plan.id.str();
}

}  // namespace berth::image

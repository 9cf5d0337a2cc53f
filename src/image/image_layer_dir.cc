// Layers committed as directories (CommitOptions::layer_dir): adopting the
// directory into layers/<chainid>/diff, and making their tar again when a
// save or push needs it (StoreOptions::packers).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/tempfile.h"
#include "image/image_store.h"
#include "image/image_store_impl.h"
#include "image/layer/tree.h"

namespace berth::image {
namespace {

Status FsyncPath(const std::string& path, int flags) {
  unique_fd fd = BERTH_TRY(fs::Open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | flags));
  if (::fsync(fd.get()) != 0) return Error::Sys("fsync " + path);
  return Ok();
}

}  // namespace

Result<std::string> ImageStore::NewLayerDir() {
  std::string dir = BERTH_TRY_CTX(fs::MakeTempDir(impl_->TmpDir() + "/layer-"), "new layer");
  if (::chmod(dir.c_str(), 0755) != 0) return Error::Sys("chmod " + dir);
  return dir;
}

void ImageStore::SetLayerPacker(const std::string& name, LayerPacker packer) {
  std::lock_guard lock(impl_->mu);
  impl_->packers[name] = std::move(packer);
}

Result<Digest> ImageStore::Impl::PackDiffId(const std::string& dir, const std::string& name) {
  LayerPacker packer;
  {
    std::lock_guard lock(mu);
    auto it = packers.find(name);
    if (it == packers.end()) return Error::Invalid("unknown layer packer \"" + name + "\"");
    packer = it->second;
  }
  Sha256 h;
  BERTH_TRY(packer(dir, [&](std::string_view d) {
    h.Update(d);
    return Ok();
  }));
  return h.Final();
}

Status ImageStore::Impl::AdoptLayerDir(LayerPlan* plan, const std::string& dir, Pins& pins) {
  pins.Add(plan->chain_id.str());
  {
    std::lock_guard lock(mu);
    if (BERTH_TRY(HasLayerLocked(plan->chain_id, &plan->size))) return fs::RemoveAll(dir);
  }
  const std::string path = LayerPath(plan->chain_id);
  if (fs::Exists(path)) {
    // Another commit or load is making this very layer, or a leftover.
    if (PinnedByOthers(plan->chain_id.str()) && fs::IsDir(LayerDiff(plan->chain_id))) {
      plan->size = fs::DirSize(LayerDiff(plan->chain_id));
      return fs::RemoveAll(dir);
    }
    BERTH_TRY(fs::RemoveAll(path));
  }
  if (opts.sync) BERTH_TRY_CTX(layer::SyncTree(AT_FDCWD, dir), "sync layer");
  if (::mkdir(path.c_str(), 0700) != 0) return Error::Sys("mkdir " + path);
  pins.created_layers.push_back(path);
  if (::rename(dir.c_str(), LayerDiff(plan->chain_id).c_str()) != 0)
    return Error::Sys("rename " + dir + " to " + LayerDiff(plan->chain_id));
  if (opts.sync) {
    BERTH_TRY(FsyncPath(path, O_DIRECTORY));
    BERTH_TRY(FsyncPath(LayerRoot(), O_DIRECTORY));
  }
  plan->size = fs::DirSize(LayerDiff(plan->chain_id));
  return Ok();
}

Result<unique_fd> ImageStore::Impl::LayerTarLocked(const Digest& diff_id) {
  if (content->Has(diff_id)) return content->Open(diff_id);
  sql::Statement st = BERTH_TRY(
      Query(db, "SELECT chain_id, packer FROM layers WHERE diff_id=?1 AND packer != ''", diff_id.str()));
  while (BERTH_TRY(st.Step())) {
    Digest chain = BERTH_TRY(Digest::Parse(st.Text(0)));
    auto packer = packers.find(st.Text(1));
    if (packer == packers.end() || !fs::IsDir(LayerDiff(chain))) continue;
    auto w = BERTH_TRY(content->NewWriter());
    BERTH_TRY_CTX(packer->second(LayerDiff(chain), [&](std::string_view d) { return w->Write(d); }),
                  "pack layer " + diff_id.str());
    BERTH_TRY_CTX(w->Commit(diff_id),
                  "pack layer " + LayerDiff(chain) + " (changed since it was committed?)");
    return content->Open(diff_id);
  }
  return Error(Code::kNotFound, "layer " + diff_id.str() + ": no tar and no directory to pack", ENOENT);
}

Result<std::vector<std::string>> ImageStore::Children(const std::string& parent_id) {
  std::lock_guard lock(impl_->mu);
  sql::Statement st = BERTH_TRY(
      Query(impl_->db, "SELECT id FROM images WHERE parent=?1 ORDER BY created DESC, id", parent_id));
  std::vector<std::string> out;
  while (BERTH_TRY(st.Step())) out.push_back(st.Text(0));
  return out;
}

}  // namespace berth::image

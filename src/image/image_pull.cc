// ImageStore::Ingest (pulls: layers unpacked while they arrive), and the
// two helpers push needs (AddReference, OpenLayerTar).
#include <sys/stat.h>

#include <mutex>

#include "base/fs.h"
#include "image/image_store.h"
#include "image/image_store_impl.h"
#include "image/layer/layer.h"
#include "image/layer/stream.h"

namespace berth::image {
namespace {

// Decompresses a layer stream and copies the plain tar into a blob while
// Unpack reads it: one pass over the bytes.
class TeeReader : public layer::Reader {
 public:
  // No hashing here: the puller verified the compressed digest, and the
  // blob writer hashes the plain tar (its diff ID).
  TeeReader(layer::Reader& in, BlobWriter& out) : dec_(in, false), out_(out) {}
  Result<size_t> Read(void* buf, size_t n) override {
    while (pending_.empty()) {
      if (done_) return size_t{0};
      auto chunk = BERTH_TRY(dec_.Next());
      if (chunk.empty()) {
        done_ = true;
        return size_t{0};
      }
      BERTH_TRY(out_.Write(std::string_view(chunk.data(), chunk.size())));
      pending_ = chunk;
    }
    size_t k = std::min(n, pending_.size());
    std::memcpy(buf, pending_.data(), k);
    pending_ = pending_.subspan(k);
    return k;
  }
  // Passes whatever Unpack left unread (it stops after the end blocks) to
  // the blob, so the blob holds the whole tar.
  Status Finish() {
    char buf[65536];
    for (;;) {
      size_t n = BERTH_TRY(Read(buf, sizeof buf));
      if (n == 0) return Ok();
    }
  }

 private:
  layer::Decompressor dec_;
  BlobWriter& out_;
  std::span<const char> pending_;
  bool done_ = false;
};

class IngestImpl : public ImageStore::Ingest {
 public:
  explicit IngestImpl(ImageStore::Impl* impl) : impl_(impl), pins_(impl) {}
  ~IngestImpl() override {
    if (!committed_) impl_->Cleanup(pins_);
  }

  Result<bool> HasLayer(const Digest& chain_id) override {
    AddPin(chain_id.str());
    std::lock_guard lock(impl_->mu);
    int64_t size = 0;
    bool has = BERTH_TRY(impl_->HasLayerLocked(chain_id, &size));
    if (has) Remember(chain_id, size);
    return has;
  }

  Status AddLayer(const Digest& chain_id, const Digest& parent, const Digest& diff_id,
                  layer::Reader& in) override {
    AddPin(chain_id.str());
    AddPin(diff_id.str());
    LayerPlan plan{chain_id, parent, diff_id, 0};
    const std::string path = impl_->LayerPath(chain_id);
    bool busy = false;
    {
      std::lock_guard lock(impl_->mu);
      int64_t size = 0;
      if (BERTH_TRY(impl_->HasLayerLocked(chain_id, &size))) {
        Remember(chain_id, size);
        return Drain(in);
      }
      busy = fs::Exists(path);
    }
    auto w = BERTH_TRY(impl_->content->NewWriter());
    w->DeferSync();  // Commit syncs the filesystem once, for every layer
    TeeReader tee(in, *w);
    if (busy) {
      // Another operation is unpacking (or left) this layer: keep the tar
      // and let EnsureLayer wait for it or redo it.
      BERTH_TRY(tee.Finish());
      BERTH_TRY_CTX(w->Commit(diff_id), "layer " + diff_id.str());
      {
        std::lock_guard lock(mu_);
        BERTH_TRY(impl_->EnsureLayer(&plan, pins_));
      }
      Remember(chain_id, plan.size);
      return Ok();
    }
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return Error::Sys("mkdir " + path);
    {
      std::lock_guard lock(mu_);
      pins_.created_layers.push_back(path);
    }
    layer::UnpackOptions uo;
    uo.sync = false;  // Commit syncs the filesystem once, for every layer
    uo.writeback = impl_->opts.sync;
    uo.hash = false;  // the blob writer checks the diff ID
    auto r = layer::Unpack(tee, impl_->LayerDiff(chain_id), uo);
    if (r.ok()) {
      if (Status s = tee.Finish(); !s.ok()) r = std::move(s).error();
    }
    if (r.ok()) {
      auto committed = w->Commit(diff_id);
      if (!committed.ok()) {
        r = Error::Invalid("invalid diffID for layer: expected \"" + diff_id.str() + "\": " +
                           committed.error().message());
      }
    }
    if (!r.ok()) {
      (void)fs::RemoveAll(path);
      return std::move(r).error().Context("layer " + diff_id.str());
    }
    int64_t size = fs::DirSize(impl_->LayerDiff(chain_id));
    Remember(chain_id, size);
    return Ok();
  }

  Result<std::string> Commit(std::string_view config_json,
                             const std::vector<std::string>& refs) override {
    ImagePlan p;
    p.config_json = std::string(config_json);
    p.id = ImageId(config_json);
    p.config = BERTH_TRY_CTX(ParseImageConfig(p.config_json), "image config " + p.id.str());
    Digest stored = BERTH_TRY_CTX(impl_->content->WriteBlob(config_json, p.id), "store config");
    AddPin(stored.str());
    std::vector<Digest> chains = ChainIds(p.config.diff_ids);
    for (size_t i = 0; i < chains.size(); ++i) {
      LayerPlan l{chains[i], i > 0 ? chains[i - 1] : Digest(), p.config.diff_ids[i], 0};
      std::lock_guard lock(mu_);
      auto it = sizes_.find(chains[i].str());
      if (it == sizes_.end())
        return Error::Internal("commit " + p.id.str() + ": layer " + chains[i].str() + " missing");
      l.size = it->second;
      p.layers.push_back(l);
    }
    p.tags = refs;
    // The layers and blobs AddLayer wrote (unsynced, their writeback
    // started) reach the disk before the transaction that makes them
    // visible: one syncfs for all of them (layers/ and content/ are on the
    // same filesystem as the store's root; a second one if not).
    if (impl_->opts.sync) {
      BERTH_TRY_CTX(fs::SyncFs(impl_->LayerRoot()), "sync layers");
      struct stat a, b;
      if (::stat(impl_->LayerRoot().c_str(), &a) == 0 &&
          ::stat(impl_->content->root().c_str(), &b) == 0 && a.st_dev != b.st_dev)
        BERTH_TRY_CTX(fs::SyncFs(impl_->content->root()), "sync blobs");
    }
    committed_ = true;
    BERTH_TRY(impl_->Publish({p}, pins_, nullptr));
    return p.id.str();
  }

 private:
  void AddPin(const std::string& key) {
    std::lock_guard lock(mu_);
    pins_.Add(key);
  }
  void Remember(const Digest& chain, int64_t size) {
    std::lock_guard lock(mu_);
    sizes_[chain.str()] = size;
  }
  static Status Drain(layer::Reader& in) {
    char buf[65536];
    for (;;)
      if (BERTH_TRY(in.Read(buf, sizeof buf)) == 0) return Ok();
  }

  ImageStore::Impl* impl_;
  std::mutex mu_;  // guards pins_, sizes_; taken before impl_->mu (EnsureLayer)
  Pins pins_;
  std::map<std::string, int64_t> sizes_;
  bool committed_ = false;
};

}  // namespace

Result<std::unique_ptr<ImageStore::Ingest>> ImageStore::BeginIngest() {
  return std::unique_ptr<Ingest>(new IngestImpl(impl_.get()));
}

Status ImageStore::AddReference(const Digest& image_id, const std::string& full_ref) {
  std::lock_guard lock(impl_->mu);
  sql::Statement st = BERTH_TRY(Query(impl_->db, "SELECT 1 FROM images WHERE id=?1", image_id.str()));
  if (!BERTH_TRY(st.Step())) return Error::NotFound("No such image: " + image_id.str());
  bool is_digest = full_ref.find('@') != std::string::npos;
  return Exec(impl_->db,
              "INSERT OR REPLACE INTO refs(name, image_id, is_digest, created) VALUES(?1, ?2, ?3, ?4)",
              full_ref, image_id.str(), static_cast<int64_t>(is_digest), Now().sec);
}

Result<unique_fd> ImageStore::OpenLayerTar(const Digest& diff_id) {
  std::lock_guard lock(impl_->mu);
  return impl_->LayerTarLocked(diff_id);
}

}  // namespace berth::image

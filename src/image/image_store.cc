// ImageStore: opening, crash sweep, the commit that makes images visible,
// deletion, layers and pins. Queries live in image_store_query.cc, rmi and
// prune in image_store_remove.cc, load/save in archive_*.cc, import in
// import.cc.
#include "image/image_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <unordered_set>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
#include "image/image_store_impl.h"
#include "image/layer/layer.h"
#include "image/layer/stream.h"

namespace berth::image {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE images(
  id TEXT PRIMARY KEY,
  created INTEGER NOT NULL,
  created_str TEXT NOT NULL,
  size INTEGER NOT NULL,
  parent TEXT NOT NULL DEFAULT '',
  last_tag_time TEXT NOT NULL DEFAULT '',
  loaded_at INTEGER NOT NULL);
CREATE TABLE layers(
  chain_id TEXT PRIMARY KEY,
  diff_id TEXT NOT NULL,
  parent TEXT NOT NULL,
  size INTEGER NOT NULL);
CREATE TABLE image_layers(
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  idx INTEGER NOT NULL,
  chain_id TEXT NOT NULL REFERENCES layers(chain_id),
  PRIMARY KEY(image_id, idx));
CREATE INDEX image_layers_chain ON image_layers(chain_id);
CREATE TABLE refs(
  name TEXT PRIMARY KEY,
  image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  is_digest INTEGER NOT NULL,
  created INTEGER NOT NULL);
CREATE INDEX refs_image ON refs(image_id);
)sql";

// v2: layers kept as directories only (the tar made again by a packer), and
// the build cache's lookup of an image's children by index.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE layers ADD COLUMN packer TEXT NOT NULL DEFAULT '';
CREATE INDEX images_parent ON images(parent);
)sql";

Status FsyncDir(const std::string& dir) {
  unique_fd fd = BERTH_TRY(fs::Open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (::fsync(fd.get()) != 0) return Error::Sys("fsync " + dir);
  return Ok();
}

}  // namespace

// ---------------------------------------------------------------------------
// Open and sweep

ImageStore::ImageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageStore::~ImageStore() = default;

static Status Sweep(ImageStore::Impl& s) {
  int ingest = BERTH_TRY_CTX(s.content->SweepIngest(), "sweep ingest");
  BERTH_TRY(fs::RemoveAll(s.TmpDir()));
  BERTH_TRY(fs::MkdirAll(s.TmpDir(), 0700));

  // Layer directories the database does not list.
  std::unordered_set<std::string> known;
  {
    sql::Statement st = BERTH_TRY(Query(s.db, "SELECT chain_id FROM layers"));
    while (BERTH_TRY(st.Step())) known.insert(st.Text(0));
  }
  int layers = 0;
  for (const std::string& name : BERTH_TRY(fs::ListDir(s.LayerRoot()))) {
    auto d = Digest::FromHex(name);
    if (d.ok() && known.count(d->str()) && fs::IsDir(s.LayerDiff(*d))) continue;
    if (d.ok() && known.count(d->str()))
      log::Error("image store: layer {} is in the database but {} is missing", d->str(),
                 s.LayerDiff(*d));
    else {
      BERTH_TRY(fs::RemoveAll(s.LayerRoot() + "/" + name));
      ++layers;
    }
  }

  // Blobs no row references: configs are named by image ID, layer tars by
  // diff ID.
  std::unordered_set<std::string> used;
  {
    sql::Statement st = BERTH_TRY(Query(s.db, "SELECT id FROM images UNION SELECT diff_id FROM layers"));
    while (BERTH_TRY(st.Step())) used.insert(st.Text(0));
  }
  int blobs = 0;
  for (const Digest& d : BERTH_TRY(s.content->List())) {
    if (used.count(d.str())) continue;
    BERTH_TRY(s.content->Delete(d));
    ++blobs;
  }
  if (ingest + layers + blobs > 0)
    log::Info("image store: swept {} ingest files, {} layer dirs, {} blobs", ingest, layers, blobs);
  return Ok();
}

Result<std::unique_ptr<ImageStore>> ImageStore::Open(const StoreOptions& options) {
  if (options.root.empty()) return Error::Invalid("image store: empty root");
  BERTH_TRY_CTX(fs::MkdirAll(options.root, 0700), "open image store");
  BERTH_TRY_CTX(fs::MkdirAll(options.root + "/layers", 0700), "open image store");
  auto content = BERTH_TRY_CTX(ContentStore::Open(options.root + "/content"), "open image store");
  sql::Db::Options dbo;
  dbo.synchronous_full = options.sync;
  sql::Db db = BERTH_TRY_CTX(sql::Db::Open(options.root + "/image.db", dbo), "open image store");
  BERTH_TRY_CTX(sql::Migrate(db, {kSchemaV1, kSchemaV2}), "open image store: migrate " + db.path());
  auto impl = std::make_unique<Impl>(options, std::move(db), std::move(content));
  BERTH_TRY_CTX(Sweep(*impl), "open image store " + options.root);
  return std::unique_ptr<ImageStore>(new ImageStore(std::move(impl)));
}

std::string ImageStore::LayerDir(const Digest& chain_id) const { return impl_->LayerDiff(chain_id); }
const std::string& ImageStore::root() const { return impl_->opts.root; }
void ImageStore::SetTestHooks(TestHooks hooks) {
  std::lock_guard lock(impl_->mu);
  impl_->hooks = std::move(hooks);
}

// ---------------------------------------------------------------------------
// Pins

void ImageStore::Impl::Pin(const std::string& key) {
  std::lock_guard lock(mu);
  pinned.insert(key);
}
void ImageStore::Impl::Unpin(const std::string& key) {
  std::lock_guard lock(mu);
  if (auto it = pinned.find(key); it != pinned.end()) pinned.erase(it);
}
bool ImageStore::Impl::PinnedByOthers(const std::string& key) {
  std::lock_guard lock(mu);
  return pinned.count(key) > 1;
}

Status ImageStore::Impl::BeforeCommit() {
  std::function<Status()> hook;
  {
    std::lock_guard lock(mu);
    hook = hooks.before_commit;
  }
  if (hook) return hook();
  return Ok();
}

// ---------------------------------------------------------------------------
// Layers

Result<bool> ImageStore::Impl::HasLayerLocked(const Digest& chain, int64_t* size) {
  sql::Statement st = BERTH_TRY(Query(db, "SELECT size FROM layers WHERE chain_id=?1", chain.str()));
  if (!BERTH_TRY(st.Step())) return false;
  if (size) *size = st.Int(0);
  return true;
}

Result<int64_t> ImageStore::Impl::LayerSizeLocked(const Digest& chain) {
  int64_t size = 0;
  if (!BERTH_TRY(HasLayerLocked(chain, &size)))
    return Error::NotFound("layer " + chain.str() + " not found");
  return size;
}

Result<Digest> ImageStore::Impl::Uncompressed(const Digest& blob, Pins& pins) {
  pins.Add(blob.str());
  unique_fd fd = BERTH_TRY(content->Open(blob));
  unsigned char magic[4] = {};
  ssize_t n = ::pread(fd.get(), magic, sizeof magic, 0);
  if (n < 0) return Error::Sys("read " + content->BlobPath(blob));
  bool gzip = n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b;
  bool zstd = n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd;
  if (!gzip && !zstd) return blob;
  layer::FdReader reader(fd.get());
  layer::Decompressor dec(reader);
  auto w = BERTH_TRY(content->NewWriter());
  for (;;) {
    auto chunk = BERTH_TRY_CTX(dec.Next(), "decompress layer " + blob.str());
    if (chunk.empty()) break;
    BERTH_TRY(w->Write(std::string_view(chunk.data(), chunk.size())));
  }
  Digest plain = BERTH_TRY_CTX(w->Commit(), "store layer " + blob.str());
  pins.Add(plain.str());
  return plain;
}

Status ImageStore::Impl::EnsureLayer(LayerPlan* plan, Pins& pins) {
  const std::string key = plan->chain_id.str();
  pins.Add(key);
  const std::string path = LayerPath(plan->chain_id);
  for (int waited = 0;; ++waited) {
    {
      std::lock_guard lock(mu);
      if (BERTH_TRY(HasLayerLocked(plan->chain_id, &plan->size))) return Ok();
    }
    if (!fs::Exists(path)) break;
    // Another load may be unpacking this very layer: wait for it to commit
    // or give up; a directory nobody works on is a leftover.
    if (!PinnedByOthers(key) || waited > 6000) {
      if (PinnedByOthers(key)) {
        // It stays there and was unpacked whole (Unpack renames into place).
        if (fs::IsDir(LayerDiff(plan->chain_id))) {
          plan->size = fs::DirSize(LayerDiff(plan->chain_id));
          return Ok();
        }
      }
      BERTH_TRY(fs::RemoveAll(path));
      break;
    }
    if (fs::IsDir(LayerDiff(plan->chain_id))) {
      plan->size = fs::DirSize(LayerDiff(plan->chain_id));
      return Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return Error::Sys("mkdir " + path);
  if (opts.sync) BERTH_TRY(FsyncDir(LayerRoot()));
  pins.created_layers.push_back(path);
  unique_fd fd = BERTH_TRY(content->Open(plan->diff_id));
  layer::UnpackOptions uo;
  uo.sync = opts.sync;
  auto r = layer::Unpack(fd.get(), LayerDiff(plan->chain_id), uo);
  if (!r.ok() && r.error().code() == Code::kAlreadyExists && fs::IsDir(LayerDiff(plan->chain_id))) {
    // A concurrent load of the same layer won the race; its rename put a
    // whole layer in place.
    plan->size = fs::DirSize(LayerDiff(plan->chain_id));
    return Ok();
  }
  if (!r.ok()) {
    (void)fs::RemoveAll(path);
    return std::move(r).error().Context("unpack layer " + plan->diff_id.str());
  }
  if (r->diff_id != plan->diff_id) {
    (void)fs::RemoveAll(path);
    return Error::Invalid("unpack layer " + plan->diff_id.str() + ": diff ID mismatch: got " +
                          r->diff_id.str());
  }
  plan->size = fs::DirSize(LayerDiff(plan->chain_id));
  return Ok();
}

// ---------------------------------------------------------------------------
// Commit and delete

Status ImageStore::Impl::CommitLocked(const std::vector<ImagePlan>& plans,
                                      std::vector<std::string>* notes) {
  for (const ImagePlan& p : plans)
    for (const LayerPlan& l : p.layers)
      if (!fs::IsDir(LayerDiff(l.chain_id)))
        return Error::Internal("commit image " + p.id.str() + ": layer " + l.chain_id.str() +
                               " vanished; try again");
  auto tx = BERTH_TRY(sql::Transaction::Begin(db));
  const int64_t now = Now().sec;
  for (const ImagePlan& p : plans) {
    int64_t size = 0;
    for (const LayerPlan& l : p.layers) size += l.size;
    Timestamp created = ParseRfc3339(p.config.created);
    BERTH_TRY(Exec(db,
                   "INSERT OR IGNORE INTO images(id, created, created_str, size, parent, "
                   "loaded_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
                   p.id.str(), created.sec, FormatRfc3339Nano(created), size, p.parent, now));
    if (db.Changes() > 0) {
      for (size_t i = 0; i < p.layers.size(); ++i) {
        const LayerPlan& l = p.layers[i];
        BERTH_TRY(Exec(db,
                       "INSERT OR IGNORE INTO layers(chain_id, diff_id, parent, size, packer) "
                       "VALUES(?1, ?2, ?3, ?4, ?5)",
                       l.chain_id.str(), l.diff_id.str(), l.parent.str(), l.size, l.packer));
        BERTH_TRY(Exec(db, "INSERT INTO image_layers(image_id, idx, chain_id) VALUES(?1, ?2, ?3)",
                       p.id.str(), static_cast<int64_t>(i), l.chain_id.str()));
      }
    }
    for (const std::string& tag : p.tags) {
      sql::Statement st = BERTH_TRY(Query(db, "SELECT image_id FROM refs WHERE name=?1", tag));
      if (BERTH_TRY(st.Step()) && st.Text(0) != p.id.str() && notes) {
        auto r = ref::ParseNormalized(tag);
        notes->push_back("The image " + (r.ok() ? r->Familiar() : tag) +
                         " already exists, renaming the old one with ID " + st.Text(0) +
                         " to empty string");
      }
      bool is_digest = tag.find('@') != std::string::npos;
      BERTH_TRY(Exec(db,
                     "INSERT OR REPLACE INTO refs(name, image_id, is_digest, created) "
                     "VALUES(?1, ?2, ?3, ?4)",
                     tag, p.id.str(), static_cast<int64_t>(is_digest), now));
    }
  }
  return tx.Commit();
}

Status ImageStore::Impl::DeleteImageLocked(const Digest& id, std::vector<DeleteItem>* items) {
  std::vector<Digest> chains;
  {
    sql::Statement st = BERTH_TRY(
        Query(db, "SELECT chain_id FROM image_layers WHERE image_id=?1 ORDER BY idx", id.str()));
    while (BERTH_TRY(st.Step())) chains.push_back(BERTH_TRY(Digest::Parse(st.Text(0))));
  }
  struct Gone {
    Digest chain, diff;
  };
  std::vector<Gone> gone;
  {
    auto tx = BERTH_TRY(sql::Transaction::Begin(db));
    BERTH_TRY(Exec(db, "DELETE FROM refs WHERE image_id=?1", id.str()));
    BERTH_TRY(Exec(db, "DELETE FROM image_layers WHERE image_id=?1", id.str()));
    BERTH_TRY(Exec(db, "DELETE FROM images WHERE id=?1", id.str()));
    for (auto it = chains.rbegin(); it != chains.rend(); ++it) {
      sql::Statement st =
          BERTH_TRY(Query(db, "SELECT 1 FROM image_layers WHERE chain_id=?1 LIMIT 1", it->str()));
      if (BERTH_TRY(st.Step())) continue;
      if (pinned.count(it->str())) continue;  // a load in flight wants it
      sql::Statement d = BERTH_TRY(Query(db, "SELECT diff_id FROM layers WHERE chain_id=?1", it->str()));
      if (!BERTH_TRY(d.Step())) continue;
      Digest diff = BERTH_TRY(Digest::Parse(d.Text(0)));
      BERTH_TRY(Exec(db, "DELETE FROM layers WHERE chain_id=?1", it->str()));
      gone.push_back({*it, diff});
    }
    BERTH_TRY(tx.Commit());
  }
  items->push_back({"", id.str()});
  // Files after the commit: a crash here leaves orphans that Open sweeps.
  if (!pinned.count(id.str())) (void)content->Delete(id);
  for (const Gone& g : gone) {
    items->push_back({"", g.chain.str()});
    if (auto s = fs::RemoveAll(LayerPath(g.chain)); !s.ok())
      log::Warn("image store: remove layer {}: {}", g.chain.str(), s.error().message());
    sql::Statement st =
        BERTH_TRY(Query(db, "SELECT 1 FROM layers WHERE diff_id=?1 LIMIT 1", g.diff.str()));
    if (!BERTH_TRY(st.Step()) && !pinned.count(g.diff.str())) (void)content->Delete(g.diff);
  }
  return Ok();
}

}  // namespace berth::image

namespace berth::image {

bool ImageStore::Impl::SimulatingCrash() {
  std::lock_guard lock(mu);
  return hooks.simulate_crash;
}

void ImageStore::Impl::Cleanup(const Pins& pins) {
  std::lock_guard lock(mu);
  std::multiset<std::string> mine(pins.keys().begin(), pins.keys().end());
  auto others = [&](const std::string& key) { return pinned.count(key) > mine.count(key); };
  for (const std::string& path : pins.created_layers) {
    auto d = Digest::FromHex(fs::Basename(path));
    if (!d.ok()) continue;
    auto has = HasLayerLocked(*d, nullptr);
    if (!has.ok() || *has || others(d->str())) continue;
    (void)fs::RemoveAll(path);
  }
  for (const std::string& key : pins.keys()) {
    auto d = Digest::Parse(key);
    if (!d.ok() || others(key) || !content->Has(*d)) continue;
    auto st = Query(db, "SELECT 1 FROM images WHERE id=?1 UNION SELECT 1 FROM layers WHERE diff_id=?1",
                    key);
    if (!st.ok()) continue;
    auto row = st->Step();
    if (row.ok() && !*row) (void)content->Delete(*d);
  }
}

Status ImageStore::Impl::Publish(const std::vector<ImagePlan>& plans, Pins& pins,
                                 std::vector<std::string>* notes) {
  if (Status s = BeforeCommit(); !s.ok()) {
    if (!SimulatingCrash()) Cleanup(pins);
    return s;
  }
  Status s;
  {
    std::lock_guard lock(mu);
    s = CommitLocked(plans, notes);
  }
  Cleanup(pins);
  return s;
}

}  // namespace berth::image

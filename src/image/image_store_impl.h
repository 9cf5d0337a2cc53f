// Internal to the image store: the state behind ImageStore and the helpers
// its files share (image_store*.cc, archive_*.cc, import.cc).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "base/reference.h"
#include "base/sqlite.h"
#include "image/content_store.h"
#include "image/image_config.h"
#include "image/image_store.h"

namespace berth::image {

// A time as Go keeps it: unix seconds, nanoseconds and the zone offset.
struct Timestamp {
  int64_t sec = 0;
  int32_t nsec = 0;
  int32_t offset = 0;  // seconds east of UTC
  bool valid = false;
};
// RFC 3339 with optional fraction ("2024-01-02T03:04:05.123Z", "+01:00").
Timestamp ParseRfc3339(std::string_view s);
// Go's time.RFC3339Nano (trailing zeros of the fraction dropped).
std::string FormatRfc3339Nano(const Timestamp& t);
Timestamp Now();

// A layer an in-progress load or import wants, base first.
struct LayerPlan {
  Digest chain_id;
  Digest parent;  // chain ID below, empty for the base
  Digest diff_id;
  int64_t size = 0;  // unpacked bytes
  std::string packer;  // "" when the tar blob is stored (StoreOptions::packers)
};

// An image ready to be made visible.
struct ImagePlan {
  Digest id;
  std::string config_json;
  ImageConfig config;
  std::vector<LayerPlan> layers;
  std::vector<std::string> tags;  // fully qualified references to point at it
  std::string parent;             // "sha256:…" or ""
};

// Releases pins taken by an operation when it ends.
class Pins;

class ImageStore::Impl {
 public:
  Impl(StoreOptions opts, sql::Db db, std::unique_ptr<ContentStore> content)
      : opts(std::move(opts)), db(std::move(db)), content(std::move(content)),
        packers(this->opts.packers) {}

  const StoreOptions opts;
  std::mutex mu;
  sql::Db db;                            // GUARDED_BY(mu)
  std::unique_ptr<ContentStore> content;  // thread-safe itself
  std::multiset<std::string> pinned;     // GUARDED_BY(mu): chain IDs and blob digests in flight
  TestHooks hooks;                       // GUARDED_BY(mu)
  std::map<std::string, LayerPacker> packers;  // GUARDED_BY(mu); from opts.packers

  std::string LayerRoot() const { return opts.root + "/layers"; }
  std::string LayerPath(const Digest& chain) const { return LayerRoot() + "/" + chain.hex(); }
  std::string LayerDiff(const Digest& chain) const { return LayerPath(chain) + "/diff"; }
  std::string TmpDir() const { return opts.root + "/tmp"; }

  // --- Locked helpers (caller holds mu) ---
  Result<Digest> ResolveIdLocked(std::string_view ref_or_id);
  Result<ImageRecord> RecordLocked(const Digest& id);
  Result<std::vector<std::string>> RefsLocked(const Digest& id);  // fully qualified, sorted
  Result<std::vector<Digest>> AllImagesLocked();
  Result<bool> HasLayerLocked(const Digest& chain, int64_t* size);
  Result<std::vector<std::string>> ChildrenLocked(const Digest& id);
  // Makes the images visible in one transaction; lines for "renaming"
  // messages are appended to notes (Docker's load output).
  Status CommitLocked(const std::vector<ImagePlan>& plans, std::vector<std::string>* notes);
  // Deletes an image's rows (refs included) and, after the commit, its
  // config blob and the layers no image uses any more. Appends Deleted items.
  Status DeleteImageLocked(const Digest& id, std::vector<DeleteItem>* items);
  Result<int64_t> LayerSizeLocked(const Digest& chain);

  // --- Unlocked work (takes mu briefly) ---
  void Pin(const std::string& key);
  void Unpin(const std::string& key);
  bool PinnedByOthers(const std::string& key);  // more than one pin
  // Makes sure the blob `tar_blob` (any compression) is kept uncompressed
  // as a blob: returns the uncompressed blob's digest (the diff ID). Pins it.
  Result<Digest> Uncompressed(const Digest& tar_blob, Pins& pins);
  // Unpacks the layer (from the uncompressed blob named diff_id) unless
  // chain is already there; fills plan->size.
  Status EnsureLayer(LayerPlan* plan, Pins& pins);
  // The diff ID of a layer directory: the sha256 of its packer's tar.
  Result<Digest> PackDiffId(const std::string& dir, const std::string& packer);
  // Moves dir (NewLayerDir, filled) into place as plan's layer, synced,
  // unless the layer is there already (dir is then removed); fills size.
  Status AdoptLayerDir(LayerPlan* plan, const std::string& dir, Pins& pins);
  // An fd on the uncompressed tar of a layer: its blob, made first by the
  // layer's packer when the store keeps none (caller holds mu).
  Result<unique_fd> LayerTarLocked(const Digest& diff_id);
  // Runs the test hook before the commit of a load/import.
  Status BeforeCommit();
  // After a load/import (committed or failed): removes what it wrote that
  // no row references and no other operation pins (layer dirs, blobs).
  void Cleanup(const Pins& pins);
  bool SimulatingCrash();
  // Turns plans into visible images (runs the hook, commits, cleans up).
  Status Publish(const std::vector<ImagePlan>& plans, Pins& pins, std::vector<std::string>* notes);
};

class Pins {
 public:
  explicit Pins(ImageStore::Impl* impl) : impl_(impl) {}
  ~Pins() {
    for (const auto& k : keys_) impl_->Unpin(k);
  }
  Pins(const Pins&) = delete;
  Pins& operator=(const Pins&) = delete;
  void Add(const std::string& key) {
    impl_->Pin(key);
    keys_.push_back(key);
  }
  // Keys this operation made (layers it unpacked, blobs it wrote): removed
  // again when it fails before its commit.
  std::vector<std::string> created_layers;
  const std::vector<std::string>& keys() const { return keys_; }

 private:
  ImageStore::Impl* impl_;
  std::vector<std::string> keys_;
};

// Prepares q and binds a... to ?1, ?2, ... (strings as text, integers).
inline Status BindOne(sql::Statement& s, int i, std::string_view v) { return s.Bind(i, v); }
inline Status BindOne(sql::Statement& s, int i, const std::string& v) {
  return s.Bind(i, std::string_view(v));
}
inline Status BindOne(sql::Statement& s, int i, const char* v) { return s.Bind(i, v); }
inline Status BindOne(sql::Statement& s, int i, int64_t v) { return s.Bind(i, v); }
template <typename... A>
Result<sql::Statement> Query(sql::Db& db, std::string_view q, const A&... a) {
  sql::Statement st = BERTH_TRY(db.Prepare(q));
  int i = 0;
  Status s;
  ((s.ok() ? (void)(s = BindOne(st, ++i, a)) : void()), ...);
  if (!s.ok()) return std::move(s).error();
  return st;
}
template <typename... A>
Status Exec(sql::Db& db, std::string_view q, const A&... a) {
  sql::Statement st = BERTH_TRY(Query(db, q, a...));
  return st.Run();
}

// Docker's filters.MatchKVList: every "k" or "k=v" is among labels.
bool MatchLabels(const std::vector<std::string>& wanted,
                 const std::map<std::string, std::string>& labels);

// Parses a reference and adds "latest" when it has neither tag nor digest.
Result<ref::Reference> NormalizeTagged(std::string_view s);

// Reads a tar (plain, gzip or zstd) from tar_fd and stores it decompressed
// as a blob; its digest is the layer's diff ID (import, commit).
Result<Digest> StoreDecompressed(ContentStore& content, int tar_fd);

}  // namespace berth::image

// The image store: the images berthd knows, their names, and their layers
// unpacked once into overlay-ready directories.
//
// Vocabulary:
//   image ID     "sha256:<hex>" of the image config bytes exactly as stored
//                (so it equals Docker's ID for the same image).
//   reference    a name given to an image: a tag ("docker.io/library/busybox:
//                latest") or a digest reference ("...busybox@sha256:…").
//                References are stored fully qualified and shown familiar.
//   layer        one entry of rootfs.diff_ids, named on disk by its chain ID
//                (see image_config.h), so two images sharing a base share
//                its directories. A layer lives as long as an image uses it.
//   dangling     an image without any reference.
//
// On disk (StoreOptions::root, normally <data-root>/image):
//
//   <root>/
//   ├── image.db            SQLite (WAL): the only record of what is visible
//   │     images(id, created, size, parent, last_tag_time, loaded_at)
//   │     image_layers(image_id, idx, chain_id)      base layer first
//   │     layers(chain_id, diff_id, parent, size, packer)
//   │                                  size = unpacked bytes; packer: "" when
//   │                                  the tar blob is kept, else the name of
//   │                                  the StoreOptions::packers entry that
//   │                                  makes it from layers/<chainid>/diff
//   │     refs(name, image_id, is_digest, created)   name fully qualified
//   ├── content/            a ContentStore (content_store.h):
//   │   ├── blobs/sha256/<hex>   image configs (named by image ID) and the
//   │   │                        UNCOMPRESSED layer tars (named by diff ID)
//   │   └── ingest/              writes in progress
//   ├── layers/
//   │   └── <chainid-hex>/
//   │       └── diff/       the unpacked layer (overlayfs lower dir)
//   └── tmp/                scratch for loads and imports
//
//   The database has its own file (not the daemon's berth.db) because schema
//   migrations are versioned per file (PRAGMA user_version).
//
// Why keep the uncompressed layer tars: `save` must reproduce every layer
// byte for byte (the diff IDs are in the config, and the config's hash is
// the image ID). Re-packing a directory (layer::Pack) is deterministic but
// not byte-identical to a tar made by another tool, so berth keeps the tar
// it was given (decompressed) as a blob named by its diff ID. `save` then is
// a copy, as fast as the disk; the price is disk space (about the size of
// the unpacked layers again).
//
// Crash safety ("a kill -9 at any moment loses nothing acknowledged and
// leaves nothing half-visible"): blobs and layer directories are written
// and synced first; then ONE database transaction makes the image, its
// layers and its references visible. Deletion runs the other way: the
// transaction first, then the files. Open() sweeps what a crash can leave:
// ingest/ files, tmp/ contents, layer dirs the DB does not list (and any
// "*.tmp-*" sibling), and blobs no row references.
//
// Threads: every public method may be called from any thread. One mutex
// (mu_) guards the database and the in-flight sets; long I/O (streaming
// blobs, unpacking, writing a save stream) runs without it. Layers and
// blobs that an unfinished load or import has written are "pinned" (in
// flight), so a concurrent Remove/Prune never deletes them. Lock order:
// ImageStore::mu_ before ContentStore's internal mutex.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::layer {
class Reader;
}

namespace berth::image {

// Writes the uncompressed tar of a layer directory to sink, always the same
// bytes for the same directory (see StoreOptions::packers).
using LayerPacker = std::function<Status(const std::string& dir,
                                         const std::function<Status(std::string_view)>& sink)>;

struct StoreOptions {
  std::string root;  // created if missing
  // For tests: sync files and directories before the DB commit (true in
  // production; tests may turn it off for speed).
  bool sync = true;
  // Layers committed as directories (CommitOptions::layer_dir) keep no tar
  // blob: the packer named in their row writes the tar again from the
  // directory when a save or push needs it (and the blob is kept from
  // then on). More can be added with SetLayerPacker (berthd's build backend
  // adds build::kLayerDirPacker).
  std::map<std::string, LayerPacker> packers;
};

// Filters as Docker's /images/json and /images/prune take them: each key
// maps to the values given (several values of one key are ORed, keys ANDed).
// Keys: "dangling" ("true"/"false"), "label" ("k" or "k=v"), "label!"
// (prune), "reference" (glob as Docker's path.Match on the familiar name,
// or name:tag), "before" and "since" (an image reference or ID), "until"
// (prune: a unix time or RFC 3339 time or Go duration like "24h").
using Filters = std::map<std::string, std::vector<std::string>>;

struct ListOptions {
  bool all = false;  // -a: include intermediate (untagged parent) images
  Filters filters;
};

// One row of `docker images` / GET /images/json.
struct ImageSummary {
  std::string id;         // "sha256:…"
  std::string parent_id;  // "" when none
  std::vector<std::string> repo_tags;     // familiar; ["<none>:<none>"] when dangling
  std::vector<std::string> repo_digests;  // familiar; ["<none>@<none>"] when dangling
  int64_t created = 0;                    // unix seconds
  int64_t size = 0;
  int64_t shared_size = -1;
  int64_t virtual_size = 0;
  std::map<std::string, std::string> labels;
  int64_t containers = -1;
};
// Docker's JSON for one summary (Id, ParentId, RepoTags, ...).
nlohmann::json ToJson(const ImageSummary& s);

// What Resolve returns: enough to run a container or answer most requests.
struct ImageRecord {
  Digest id;
  std::string config_json;                 // the config bytes (hash = id)
  std::vector<Digest> diff_ids;            // base first
  std::vector<Digest> chain_ids;           // base first
  std::vector<std::string> repo_tags;      // familiar, sorted
  std::vector<std::string> repo_digests;   // familiar, sorted
  std::string parent;                      // "sha256:…" or ""
  int64_t created = 0;                     // unix seconds
  std::string created_rfc3339;             // RFC3339Nano, as Docker prints it
  int64_t size = 0;                        // sum of the layers' unpacked sizes
  std::string last_tag_time;               // RFC3339Nano or "" (Docker: 0001-01-01T00:00:00Z)
};

// One row of `docker history`, newest first.
struct HistoryItem {
  std::string id;  // image ID for the top entry, "<missing>" below
  int64_t created = 0;
  std::string created_by;
  std::vector<std::string> tags;  // only on the top entry
  int64_t size = 0;
  std::string comment;
};
nlohmann::json ToJson(const HistoryItem& h);

// One line of a `docker rmi` answer: exactly one member is set.
struct DeleteItem {
  std::string untagged;  // "busybox:latest"
  std::string deleted;   // "sha256:…" (the image ID, then removed layers' chain IDs)
};
nlohmann::json ToJson(const DeleteItem& d);

struct PruneReport {
  std::vector<DeleteItem> images_deleted;
  uint64_t space_reclaimed = 0;
};
nlohmann::json ToJson(const PruneReport& r);

// A container that uses an image, as the engine knows it.
struct ContainerUse {
  std::string id;  // full container ID
  bool running = false;
};
// The containers using image_id ("sha256:…"); empty when none. May be null
// (no containers at all).
using InUseFn = std::function<std::vector<ContainerUse>(const std::string& image_id)>;

// Progress of a load, one call per step (Docker's "Loading layer" JSON
// messages): id is the layer's short diff ID.
struct Progress {
  std::string id;
  std::string status;  // "Loading layer"
  int64_t current = 0;
  int64_t total = 0;
};
using ProgressFn = std::function<void(const Progress&)>;

struct LayerUsage {
  std::string chain_id;
  int64_t size = 0;
  int64_t images = 0;  // how many images use it
};
struct DiskUsage {
  std::vector<ImageSummary> images;  // shared_size and containers filled in
  int64_t layers_size = 0;           // sum of all layers' unpacked sizes
  std::vector<LayerUsage> layers;
};

// POST /commit: a container's changes as a new image over its parent.
struct CommitOptions {
  std::string parent;           // parent image ID "sha256:…"; "" for a scratch container
  int layer_fd = -1;            // the layer tar (engine::fs::PackChanges), read to its end
  std::string layer_path;       // ... or a file holding it (used when layer_fd < 0)
  // ... or the layer as a directory made by NewLayerDir and filled by the
  // caller, with the name of the packer (StoreOptions::packers) that gives
  // its tar; the directory is moved into the store (or removed). With none
  // of the three, the step adds no layer (empty_layer).
  std::string layer_dir;
  std::string layer_packer;
  nlohmann::json config;        // the new image's "config": the container's Config as
                                // Docker merges it (before `changes`)
  std::vector<std::string> changes;  // `-c` instructions, applied to config
  std::string author;
  std::string comment;          // the commit message
  std::string container_id;
  nlohmann::json container_config;   // the container's Config as it is
  std::string ref;              // name to tag ("" for none; no tag means :latest)
};

class ImageStore {
 public:
  // Opens (creating, migrating) the store at options.root and sweeps what a
  // crash left behind (see the header comment).
  static Result<std::unique_ptr<ImageStore>> Open(const StoreOptions& options);
  ~ImageStore();
  ImageStore(const ImageStore&) = delete;
  ImageStore& operator=(const ImageStore&) = delete;

  // GET /images/json. Sorted newest first (as Docker's CLI shows them).
  // Filter errors are kInvalidArgument with Docker's text ("invalid filter
  // 'foo'", "Invalid filter 'dangling=maybe'").
  Result<std::vector<ImageSummary>> List(const ListOptions& options);

  // name[:tag], name@digest, a full ID with or without "sha256:", or a
  // unique ID prefix. kNotFound "No such image: busybox:latest";
  // kInvalidArgument for a malformed reference ("invalid reference format").
  Result<ImageRecord> Resolve(std::string_view ref_or_id);

  // Docker's ImageInspect JSON (API v1.41).
  Result<nlohmann::json> Inspect(std::string_view ref_or_id);

  // Newest first, as `docker history`.
  Result<std::vector<HistoryItem>> History(std::string_view ref_or_id);

  // Gives source's image the name target ("busybox" means busybox:latest).
  // An existing tag is moved. A digest target is refused ("refusing to
  // create a tag with a digest reference").
  Status Tag(std::string_view source, std::string_view target);

  // DELETE /images/{name}: Docker's rmi semantics and messages. A tag is
  // untagged when the image keeps other references; the image is deleted
  // when its last reference goes or when named by ID; layers no image uses
  // any more are deleted too (their chain IDs reported). Conflicts are
  // kConflict with Docker's text. prune: also delete untagged parents.
  Result<std::vector<DeleteItem>> Remove(std::string_view ref_or_id, bool force, bool prune,
                                         const InUseFn& in_use);

  // POST /images/prune: dangling images (all=false) or every image no
  // container uses (all=true). Filters: until, label, label!.
  Result<PruneReport> Prune(bool all, const Filters& filters, const InUseFn& in_use);

  // POST /images/load: reads a docker-archive (manifest.json, or the legacy
  // `repositories` + <id>/json layout) or an OCI image layout (oci-layout,
  // index.json, blobs/) tar stream from tar_fd. Returns the lines Docker
  // prints: "Loaded image: busybox:latest" or "Loaded image ID: sha256:…"
  // (and "The image busybox:latest already exists, renaming the old one
  // with ID sha256:… to empty string" when a tag moves). Layers already
  // present are not unpacked again. All images of the archive become
  // visible in one transaction, or none.
  Result<std::vector<std::string>> Load(int tar_fd, const ProgressFn& progress);

  // GET /images/get: writes a docker-archive in Docker 20.10's layout
  // (<v1id>/{VERSION,json,layer.tar}, <config-hex>.json, manifest.json,
  // repositories) to out_fd. refs may name several images; a name without
  // tag saves every tag of that repository; an ID saves the image untagged.
  Status Save(const std::vector<std::string>& refs, int out_fd);

  // POST /images/create?fromSrc=-: a rootfs tar (plain, gzip or zstd) from
  // tar_fd becomes a one-layer image. changes are Dockerfile instructions
  // (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, VOLUME, WORKDIR, STOPSIGNAL,
  // ONBUILD), JSON or shell form, as `docker import -c`. ref may be empty
  // (untagged). Returns the image ID "sha256:…".
  Result<std::string> Import(int tar_fd, std::string_view ref,
                             const std::vector<std::string>& changes, std::string_view message);

  // POST /commit: parent's rootfs.diff_ids + the new layer's diff ID (a
  // layer with no change, the empty tar, adds no diff ID and its history
  // entry is marked empty_layer, as moby's NewChildImage), history =
  // parent's + {created, created_by: the container's Cmd joined with " ",
  // author, comment}; "container" and "container_config" recorded. The
  // layer is unpacked under layers/<chainid>/diff; the image becomes
  // visible in one transaction (as Import). Returns "sha256:…".
  Result<std::string> Commit(const CommitOptions& options);

  // Adds (or replaces) a layer packer (StoreOptions::packers).
  void SetLayerPacker(const std::string& name, LayerPacker packer);

  // An empty directory on the store's filesystem for CommitOptions::
  // layer_dir (under tmp/: a crash leaves nothing that Open does not sweep).
  Result<std::string> NewLayerDir();

  // The IDs of the images whose parent is parent_id ("sha256:…"; "" for
  // images without parent), newest first.
  Result<std::vector<std::string>> Children(const std::string& parent_id);

  // GET /system/df: images with sizes and layer totals.
  Result<DiskUsage> Df(const InUseFn& in_use);

  // Overlay lower dirs for an image (ID or reference), top layer first,
  // joined with ':' as overlayfs lowerdir= wants them. kNotFound for an
  // unknown image; "" for an image without layers.
  Result<std::string> LayerDirs(std::string_view ref_or_id);

  // The unpacked directory of one layer ("<root>/layers/<hex>/diff").
  std::string LayerDir(const Digest& chain_id) const;
  const std::string& root() const;

  // --- Pull and push (src/distribution) ---

  // A pull in progress: layers arrive as streams (possibly on several
  // threads at once); Commit makes the image visible in one transaction.
  // Destroyed without Commit, it removes what it wrote that nothing uses.
  class Ingest {
   public:
    virtual ~Ingest() = default;
    // True when the layer is already present (it is then kept until the
    // ingest ends). Thread-safe.
    virtual Result<bool> HasLayer(const Digest& chain_id) = 0;
    // Reads a layer tar (gzip, zstd or plain) from in, unpacks it as the
    // layer chain_id (parent: the chain ID below, empty for the base) and
    // keeps the uncompressed tar as the blob named diff_id. The stream is
    // consumed while it arrives: nothing is buffered whole. A diff ID
    // mismatch is kInvalidArgument. What it writes is not synced (its
    // writeback is started): Commit syncs the filesystem once for every
    // layer, before the transaction. Thread-safe.
    virtual Status AddLayer(const Digest& chain_id, const Digest& parent, const Digest& diff_id,
                            layer::Reader& in) = 0;
    // Stores the config and makes the image visible with refs (fully
    // qualified tags and digest references). Returns the image ID.
    virtual Result<std::string> Commit(std::string_view config_json,
                                       const std::vector<std::string>& refs) = 0;
  };
  Result<std::unique_ptr<Ingest>> BeginIngest();

  // Adds a reference (tag or digest reference, fully qualified) to an
  // existing image (push records the repository digest it got).
  Status AddReference(const Digest& image_id, const std::string& full_ref);
  // An fd on the uncompressed tar of a layer (by diff ID), for push.
  Result<unique_fd> OpenLayerTar(const Digest& diff_id);

  // Test hook: called by Load/Import after blobs and layers are written and
  // before the transaction that makes the image visible. A hook returning
  // an error makes the call fail there (a "crash" without cleanup when
  // simulate_crash is set: nothing written is removed).
  struct TestHooks {
    std::function<Status()> before_commit;
    bool simulate_crash = false;
  };
  void SetTestHooks(TestHooks hooks);

  class Impl;

 private:
  explicit ImageStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::image

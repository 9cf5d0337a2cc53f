// Storage: berth-registry's content-addressed filesystem layout under --root.
// This module is the only place that builds these paths.
//
//   ROOT/
//     blobs/sha256/<hex[0:2]>/<hex>                  content (layers, configs, manifests)
//     uploads/<id>/{repo,data}                       uploads in progress (never visible)
//     repositories/<name>/_layers/sha256/<hex>       the blob is part of <name> (empty file)
//     repositories/<name>/_manifests/revisions/sha256/<hex>   a manifest of <name>; holds its media type
//     repositories/<name>/_manifests/tags/<tag>      "sha256:<hex>": what the tag points at
//     repositories/<name>/_referrers/<subject hex>/<hex>      referrer descriptor (JSON)
//     repositories/<name>/_meta.json                 {"owner","private","description"}
//     auth/htpasswd, auth/admins, auth/token.key     users, admins, token signing key
//     tmp/                                           temporary files before their rename
//
// Invariants: a blob file exists only with its full, verified content (it is
// written to tmp/ or uploads/, fsynced, checked against its digest and then
// renamed into place, and the directory fsynced); blobs are shared by every
// repository and never rewritten. A repository sees a blob only through its
// _layers link or a manifest revision. Links, tags and metadata are written
// by atomic rename too. Repository names cannot contain a component starting
// with '_', so the '_' directories never clash with nested names.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::registry {

struct RepoMeta {
  std::string owner;  // who pushed first ("" in an open registry)
  bool is_private = false;
  std::string description;
};

struct StoredManifest {
  Digest digest;
  std::string media_type;
  std::string content;
};

class Storage {
 public:
  // Creates the layout under root when missing.
  static Result<Storage> Open(const std::string& root);

  const std::string& root() const { return root_; }
  std::string BlobPath(const Digest& d) const;
  std::string UploadsDir() const { return root_ + "/uploads"; }
  std::string AuthDir() const { return root_ + "/auth"; }
  std::string TmpDir() const { return root_ + "/tmp"; }
  std::string RepoDir(const std::string& repo) const { return root_ + "/repositories/" + repo; }

  // Blobs (global).
  // The size of a stored blob; kNotFound when absent.
  Result<uint64_t> BlobSize(const Digest& d) const;
  Result<unique_fd> OpenBlob(const Digest& d, uint64_t* size) const;
  // Moves the verified file at path to the blob d (fsync, rename, fsync of
  // the directory). If d already exists, path is removed instead.
  Status CommitFile(const std::string& path, const Digest& d);
  // Stores data as a blob; returns its digest.
  Result<Digest> PutBlob(std::string_view data);
  // Refreshes a blob's mtime (gc's grace period counts from it).
  void TouchBlob(const Digest& d);
  Status RemoveBlob(const Digest& d);
  // Every stored blob.
  Result<std::vector<Digest>> AllBlobs() const;

  // Repository links.
  bool RepoExists(const std::string& repo) const;
  bool HasLayer(const std::string& repo, const Digest& d) const;
  Status LinkLayer(const std::string& repo, const Digest& d);
  Status UnlinkLayer(const std::string& repo, const Digest& d);
  Result<std::vector<Digest>> Layers(const std::string& repo) const;

  // Manifests. PutManifest stores content as a blob, links the revision with
  // its media type and, when tag is not empty, points the tag at it.
  Status PutManifest(const std::string& repo, const Digest& d, const std::string& media_type,
                     std::string_view content, const std::string& tag);
  bool HasManifest(const std::string& repo, const Digest& d) const;
  Result<StoredManifest> GetManifest(const std::string& repo, const Digest& d) const;
  Result<Digest> ResolveTag(const std::string& repo, const std::string& tag) const;
  // Removes the revision, every tag that points at it and its referrer entry.
  Status DeleteManifest(const std::string& repo, const Digest& d);
  Status DeleteTag(const std::string& repo, const std::string& tag);
  // Sorted tags; kNotFound when the repository does not exist.
  Result<std::vector<std::string>> Tags(const std::string& repo) const;
  Result<std::vector<Digest>> Revisions(const std::string& repo) const;
  // Every repository name, sorted.
  Result<std::vector<std::string>> Repositories() const;

  // Referrers: descriptor JSON documents of manifests whose subject is d.
  Status AddReferrer(const std::string& repo, const Digest& subject, const Digest& d,
                     const std::string& descriptor_json);
  Result<std::vector<std::string>> Referrers(const std::string& repo, const Digest& subject) const;

  // Repository metadata (defaults when never written).
  RepoMeta Meta(const std::string& repo) const;
  Status SetMeta(const std::string& repo, const RepoMeta& meta);

  // Writes data to path atomically through tmp/ (fsync, rename, fsync dir).
  Status WriteAtomic(const std::string& path, std::string_view data, mode_t mode = 0644);

 private:
  explicit Storage(std::string root) : root_(std::move(root)) {}
  std::string LayerLink(const std::string& repo, const Digest& d) const;
  std::string RevisionLink(const std::string& repo, const Digest& d) const;
  std::string TagFile(const std::string& repo, const std::string& tag) const;
  Result<std::string> TmpPath();

  std::string root_;
};

// fsyncs the directory at path.
Status SyncDir(const std::string& path);

}  // namespace berth::registry

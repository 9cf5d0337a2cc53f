// Uploads: blob uploads in progress (OCI Distribution "push a blob").
//
// An upload is a directory uploads/<id>/ holding the repository name and the
// bytes received so far (data). Chunks are appended in order (a chunk whose
// start is not the current size is refused), hashed as they arrive; Finish
// checks the digest the client names, then commits the file as a blob
// (Storage::CommitFile) and links it into the repository. Nothing is visible
// before that rename, so an interrupted or abandoned upload leaves no blob;
// Sweep removes uploads idle for longer than the timeout. Uploads survive a
// restart of the server (the hash is then recomputed from the file).
//
// Threads: every method may be called concurrently; one upload's operations
// are serialised by its own mutex. Lock order: a session's mutex, then
// sessions_mu_ (never a session mutex while holding sessions_mu_).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/digest.h"
#include "base/error.h"
#include "http/handler.h"
#include "registry/storage.h"

namespace berth::registry {

class Uploads {
 public:
  Uploads(Storage* storage, std::chrono::seconds timeout) : storage_(storage), timeout_(timeout) {}

  // Starts an upload for repo; returns its id.
  Result<std::string> Start(const std::string& repo);
  // Bytes received so far. kNotFound for an unknown id or another repo's.
  Result<uint64_t> Size(const std::string& repo, const std::string& id);
  // Appends body. With start, the chunk must begin at the current size
  // (kConflict otherwise). Returns the new size. A body that breaks off
  // keeps what arrived (the client may resume from Size()).
  Result<uint64_t> Append(const std::string& repo, const std::string& id, http::BodyReader& body,
                          std::optional<uint64_t> start = std::nullopt);
  // Appends body (if any), verifies that the content has digest expected
  // (kInvalidArgument otherwise, and the upload is dropped), commits the
  // blob and links it into repo.
  Status Finish(const std::string& repo, const std::string& id, http::BodyReader* body,
                const Digest& expected);
  Status Cancel(const std::string& repo, const std::string& id);
  // Removes uploads idle for longer than the timeout; returns how many.
  size_t Sweep();

 private:
  struct Session {
    std::mutex mu;
    std::unique_ptr<Sha256> hash;  // over the first `hashed` bytes of data
    uint64_t hashed = 0;
  };
  Result<std::shared_ptr<Session>> Find(const std::string& repo, const std::string& id);
  std::string Dir(const std::string& id) const { return storage_->UploadsDir() + "/" + id; }
  Result<uint64_t> AppendLocked(Session& s, const std::string& id, http::BodyReader& body,
                                std::optional<uint64_t> start);
  void Drop(const std::string& id);

  Storage* storage_;
  std::chrono::seconds timeout_;
  std::mutex sessions_mu_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;  // guarded by sessions_mu_
};

// A random id in UUID v4 form.
std::string NewUploadId();
bool ValidUploadId(std::string_view id);

}  // namespace berth::registry

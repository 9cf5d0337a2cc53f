// The distribution service berthd's routes call: pull, push, search and
// login against registries, with Docker's progress messages.
//
// Pull (pull.cc): manifest (an index/manifest list picks linux/amd64) ->
// config -> layers the store lacks downloaded 3 at a time, each unpacked
// while it downloads (ImageStore::Ingest), digests verified as the bytes
// pass, an interrupted download resumed with a Range request -> one
// transaction makes the image visible with its tag and repo digest.
// Push (push.cc): per layer, a blob the registry has is skipped (HEAD),
// one another repository of the same registry has is mounted, otherwise
// the layer is compressed (FastGzip), hashed and uploaded in one pass in
// PATCH chunks, resumed after an interruption (layer_upload.h); then the
// config and the schema2 manifest.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "distribution/auth.h"
#include "distribution/metadata.h"
#include "distribution/progress.h"
#include "image/image_store.h"

namespace berth::distribution {

struct ServiceOptions {
  image::ImageStore* store = nullptr;
  std::vector<std::string> insecure_registries;
  int max_concurrent_downloads = 3;
  int max_concurrent_uploads = 5;
};

struct PullRequest {
  std::string image;  // "busybox", "localhost:5000/a/b" (fromImage)
  std::string tag;    // tag or "sha256:…"; empty with all_tags or for latest
  bool all_tags = false;
  AuthConfig auth;
};

struct PushRequest {
  std::string image;  // repository ("localhost:5000/x")
  std::string tag;    // empty: every tag of the repository (-a)
  AuthConfig auth;
};

// Uploads an interrupted push left on registries, so the next push of the
// same layer to the same repository resumes them: key "domain/repo@diff_id"
// -> upload location. In memory (a restarted daemon starts over).
class PendingUploads {
 public:
  std::string Take(const std::string& key);  // "" when none
  void Put(const std::string& key, const std::string& location);

 private:
  std::mutex mu_;
  std::map<std::string, std::string> uploads_;  // GUARDED_BY(mu_)
};

class Service {
 public:
  explicit Service(ServiceOptions opts);

  // The errors come back (Docker prints them after the progress).
  Status Pull(const PullRequest& req, const MessageFn& out);
  Status Push(const PushRequest& req, const MessageFn& out);
  // Docker's search results; term may start with a registry domain.
  Result<nlohmann::json> Search(const std::string& term, int limit, const AuthConfig& auth);
  // Checks credentials against the registry (POST /auth); returns the
  // status text ("Login Succeeded").
  Result<std::string> Login(const AuthConfig& auth);

 private:
  ServiceOptions opts_;
  Metadata meta_;
  PendingUploads pending_;
};

// "https://index.docker.io/v1/" -> "docker.io"; "http://localhost:5000/" ->
// "localhost:5000"; "" -> "docker.io".
std::string DomainOfServer(std::string_view server_address);
// Splits a search term into registry domain and term ("localhost:5000/x"
// -> {"localhost:5000", "x"}; "busybox" -> {"docker.io", "busybox"}).
std::pair<std::string, std::string> SplitSearchTerm(std::string_view term);

}  // namespace berth::distribution

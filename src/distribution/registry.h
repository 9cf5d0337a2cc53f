// Registry: the client side of the OCI distribution API for one registry
// and a set of token scopes, with authentication handled transparently: a
// 401 is answered from its WWW-Authenticate challenge (Basic with the
// credentials, or Docker's Bearer flow: a token for the scopes from the
// realm), then the request is retried once. Tokens are cached per
// Registry. Safe to use from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "base/error.h"
#include "distribution/auth.h"
#include "distribution/endpoint.h"
#include "distribution/transport.h"

namespace berth::distribution {

// A registry error response ({"errors":[{"code","message","detail"}]}) as
// Docker words it: "manifest unknown: manifest unknown", "unauthorized:
// authentication required", "denied: requested access to the resource is
// denied". Falls back to the status text.
std::string RegistryErrorText(const HttpResponse& r);
// The error code (Code) for a registry status.
Code CodeForStatus(int status);

struct ManifestDoc {
  std::string bytes;
  std::string media_type;
  Digest digest;
};

class Registry {
 public:
  Registry(Endpoint ep, AuthConfig creds, std::vector<std::string> scopes);

  const Endpoint& endpoint() const { return ep_; }
  // Adds a token scope (push across repositories needs the source's pull).
  void AddScope(const std::string& scope);

  // GET /v2/: finds the scheme for insecure registries; with credentials,
  // checks them (kUnauthorized when refused).
  Status Ping(bool check_credentials = false);
  // A request to base + path, authenticated.
  Result<HttpResponse> Do(HttpRequest req, const std::string& path);

  // GET a manifest by tag or digest (all manifest media types accepted).
  // A manifest named by digest is checked against it.
  Result<ManifestDoc> GetManifest(std::string_view repo, std::string_view reference);
  // HEAD a blob: its size, or nullopt when the registry lacks it.
  Result<std::optional<int64_t>> HeadBlob(std::string_view repo, const Digest& digest);
  // GET a blob from byte offset on (Range) into on_data.
  Status FetchBlob(std::string_view repo, const Digest& digest, int64_t offset,
                   const std::function<Status(std::string_view)>& on_data);
  Result<std::vector<std::string>> Tags(std::string_view repo);

  // POST /blobs/uploads/?mount=&from=: true when mounted; otherwise
  // *location is the upload session the registry opened instead.
  Result<bool> MountBlob(std::string_view repo, const Digest& digest, std::string_view from,
                         std::string* location);
  Result<std::string> StartUpload(std::string_view repo);
  // PUT the whole blob (fd, size bytes) to an upload location.
  Status FinishUpload(const std::string& location, const Digest& digest, int fd, int64_t size);
  // PATCH one chunk (bytes [offset, offset + data.size())) with
  // Content-Range; returns the upload's next location. A registry that is
  // somewhere else (416) or away is an error of code kConflict or
  // kUnavailable: ask UploadStatus where to go on.
  Result<std::string> PatchChunk(const std::string& location, int64_t offset, std::string_view data);
  // GET an upload's status: the number of bytes the registry holds, or
  // nullopt when the upload is gone (404).
  Result<std::optional<int64_t>> UploadStatus(const std::string& location);
  // PUT ?digest= with no body: the chunks sent make the blob.
  Status CommitUpload(const std::string& location, const Digest& digest);
  // PUT a manifest under tag (or digest); returns its digest.
  Result<Digest> PutManifest(std::string_view repo, std::string_view reference,
                             const std::string& bytes, const std::string& media_type);
  // GET /v1/search?q=&n=: the results array (Docker's search JSON).
  Result<nlohmann::json> Search(std::string_view term, int limit);

 private:
  std::string Url(const std::string& path_or_url) const;
  Result<std::string> AuthHeader(const std::vector<std::string>& challenges, bool* changed);
  Result<std::string> FetchToken(const Challenge& c);

  Endpoint ep_;
  AuthConfig creds_;
  TransportOptions topts_;
  std::mutex mu_;  // guards scopes_, auth_, ep_.base (after Ping)
  std::vector<std::string> scopes_;
  std::string auth_;  // "Authorization: ..." or ""
};

}  // namespace berth::distribution

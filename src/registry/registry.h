// Registry: the HTTP face of berth-registry. One Handler serves
//   /v2/...            OCI Distribution Spec v1.1 (blobs, uploads, manifests,
//                      tags, catalog, referrers)
//   /token             Docker's token endpoint (Bearer tokens, token.h)
//   /v1/search         Docker's search; /v1/_ping
//   /berth/v1/repositories/<name>   repository settings (description,
//                      private), GET and PUT, for the owner (docs/registry.md)
// Every response to /v2/ carries Docker-Distribution-API-Version:
// registry/2.0. Who may do what is Policy's business (access.h).
#pragma once

#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>

#include "http/handler.h"
#include "registry/access.h"
#include "registry/api_error.h"
#include "registry/storage.h"
#include "registry/token.h"
#include "registry/uploads.h"
#include "registry/users.h"

namespace berth::registry {

struct RegistryOptions {
  std::string service = "berth-registry";  // token audience and challenge service
  std::string realm;        // token realm URL; "" = <scheme>://<Host header>/token
  bool tls = false;         // scheme for the derived realm
  bool basic_challenge = false;  // challenge with Basic instead of Bearer
  std::chrono::seconds token_ttl{900};
  FILE* access_log = nullptr;  // one line per request; null = none
};

class Registry {
 public:
  Registry(Storage* storage, Uploads* uploads, Users* users, TokenSigner signer,
           RegistryOptions options);

  // The handler for http::Server; the Registry must outlive it.
  http::Handler AsHandler();
  Status Serve(http::Request& req, http::ResponseWriter& w);

 private:
  struct Ctx {
    http::Request& req;
    http::ResponseWriter& w;
    Identity who;
  };

  Status Dispatch(Ctx& c);
  // Replies 401/403 and returns false unless c.who may do action on repo.
  bool Authorize(Ctx& c, const std::string& repo, Action action);
  void Challenge(Ctx& c, const std::string& scope);
  Status Fail(Ctx& c, const ApiError& e) { return Reply(c.w, e); }

  Status Ping(Ctx& c);
  Status Catalog(Ctx& c);
  Status Token(Ctx& c);
  Status Search(Ctx& c);
  Status Settings(Ctx& c, const std::string& repo);

  Status GetBlob(Ctx& c, const std::string& repo, const std::string& ref);
  Status DeleteBlob(Ctx& c, const std::string& repo, const std::string& ref);
  Status StartUpload(Ctx& c, const std::string& repo);
  Status UploadChunk(Ctx& c, const std::string& repo, const std::string& id);
  Status FinishUpload(Ctx& c, const std::string& repo, const std::string& id);
  Status UploadStatus(Ctx& c, const std::string& repo, const std::string& id);
  Status CancelUpload(Ctx& c, const std::string& repo, const std::string& id);
  Status MountBlob(Ctx& c, const std::string& repo, const Digest& d, const std::string& from,
                   bool* done);
  Status UploadAccepted(Ctx& c, const std::string& repo, const std::string& id, uint64_t size,
                        int status);

  Status GetManifest(Ctx& c, const std::string& repo, const std::string& ref);
  Status PutManifest(Ctx& c, const std::string& repo, const std::string& ref);
  Status DeleteManifest(Ctx& c, const std::string& repo, const std::string& ref);
  Status ListTags(Ctx& c, const std::string& repo);
  Status Referrers(Ctx& c, const std::string& repo, const std::string& ref);
  // Records the repository's owner on its first push.
  void ClaimRepo(Ctx& c, const std::string& repo);

  void LogAccess(const Ctx& c, int status, uint64_t bytes, double ms);

  Storage* storage_;
  Uploads* uploads_;
  Users* users_;
  TokenSigner signer_;
  RegistryOptions options_;
  Policy policy_;
  std::mutex log_mu_;  // serialises access log lines
};

// Pagination for tags and the catalog: the entries of sorted after last,
// at most n of them (n < 0: all). *more is set when entries remain.
std::vector<std::string> Paginate(const std::vector<std::string>& sorted, const std::string& last,
                                  int64_t n, bool* more);

}  // namespace berth::registry

// Access: who the caller is (Authenticate) and what they may do (Policy).
//
// Authentication is on as soon as the users file holds a user; with no
// users the registry is open (everyone, anonymous included, may do
// anything, as docker-registry without auth). With users:
//   - a caller is anonymous, or a user proven by Basic credentials or by a
//     Bearer token from /token;
//   - pull: a public repository (the default) anyone, a private one only its
//     owner and admins;
//   - push and delete: a user in their own namespace (alice -> alice/...),
//     admins anywhere;
//   - settings (description, public/private): the owner and admins.
// The owner of alice/app is alice; of a top-level or foreign-namespace
// repository, whoever pushed it first (an admin). A refused anonymous caller
// gets UNAUTHORIZED (with a challenge), a refused user DENIED.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "http/handler.h"
#include "registry/storage.h"
#include "registry/token.h"
#include "registry/users.h"

namespace berth::registry {

struct Identity {
  std::string user;  // "" when anonymous
  bool admin = false;
  bool bearer = false;              // proven by a token (then access applies)
  std::vector<AccessEntry> access;  // the token's grants
  bool anonymous() const { return user.empty(); }
};

enum class Action { kPull, kPush, kDelete, kSettings };
const char* ActionName(Action a);  // "pull", "push", "delete", "settings"

enum class Verdict { kAllow, kUnauthenticated, kDenied };

class Policy {
 public:
  Policy(Storage* storage, Users* users) : storage_(storage), users_(users) {}

  bool auth_enabled() { return users_->Any(); }
  // The caller from the Authorization header (none: anonymous). Errors are
  // kUnauthorized with the reason (wrong password, bad token).
  Result<Identity> Authenticate(const http::Request& req, const TokenSigner& signer,
                                const std::string& service);
  Verdict Check(const Identity& who, const std::string& repo, Action action);
  // True when who may see repo (in the catalog, search, referrers).
  bool CanSee(const Identity& who, const std::string& repo) {
    return Check(who, repo, Action::kPull) == Verdict::kAllow;
  }
  bool IsOwner(const std::string& user, const std::string& repo);
  // The actions of a scope that who may perform (for /token).
  std::vector<std::string> Grant(const Identity& who, const AccessEntry& requested);

  Users* users() { return users_; }

 private:
  Storage* storage_;
  Users* users_;
};

}  // namespace berth::registry

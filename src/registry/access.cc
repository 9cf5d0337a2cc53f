#include "registry/access.h"

#include <ctime>

#include "base/base64.h"
#include "base/strings.h"

namespace berth::registry {

const char* ActionName(Action a) {
  switch (a) {
    case Action::kPull: return "pull";
    case Action::kPush: return "push";
    case Action::kDelete: return "delete";
    case Action::kSettings: return "settings";
  }
  return "?";
}

Result<Identity> Policy::Authenticate(const http::Request& req, const TokenSigner& signer,
                                      const std::string& service) {
  Identity who;
  auto header = req.headers.Get("Authorization");
  if (!header || header->empty()) return who;
  std::string_view h = *header;
  size_t sp = h.find(' ');
  std::string scheme = str::ToLower(h.substr(0, sp));
  std::string_view cred = sp == h.npos ? std::string_view() : str::Trim(h.substr(sp + 1));
  if (scheme == "basic") {
    auto raw = base64::Decode(cred);
    size_t colon = raw ? raw->find(':') : std::string::npos;
    if (colon == std::string::npos) return Error(Code::kUnauthorized, "malformed Basic credentials");
    std::string user = raw->substr(0, colon), password = raw->substr(colon + 1);
    if (!users_->Verify(user, password)) return Error(Code::kUnauthorized, "incorrect username or password");
    who.user = user;
  } else if (scheme == "bearer") {
    TokenClaims c = BERTH_TRY(signer.Verify(cred, service, time(nullptr)));
    if (!c.subject.empty() && !users_->Exists(c.subject))
      return Error(Code::kUnauthorized, "invalid token: unknown user");
    who.user = c.subject;
    who.bearer = true;
    who.access = std::move(c.access);
  } else {
    return Error(Code::kUnauthorized, "unsupported authorization scheme");
  }
  who.admin = !who.user.empty() && users_->IsAdmin(who.user);
  return who;
}

bool Policy::IsOwner(const std::string& user, const std::string& repo) {
  if (user.empty()) return false;
  if (str::StartsWith(repo, user + "/")) return true;
  return storage_->Meta(repo).owner == user;
}

Verdict Policy::Check(const Identity& who, const std::string& repo, Action action) {
  if (!auth_enabled()) return Verdict::kAllow;
  auto refuse = [&] { return who.anonymous() ? Verdict::kUnauthenticated : Verdict::kDenied; };
  if (who.bearer) {
    // A token grants what it lists; pull also covers a push or delete grant.
    bool listed = false;
    for (const auto& a : who.access)
      if (a.type == "repository" && a.name == repo &&
          (a.Allows(ActionName(action)) || (action == Action::kPull && a.Allows("push")) ||
           action == Action::kSettings))
        listed = true;
    if (!listed) return Verdict::kUnauthenticated;  // ask for a token with this scope
  }
  if (who.admin) return Verdict::kAllow;
  switch (action) {
    case Action::kPull:
      if (!storage_->Meta(repo).is_private) return Verdict::kAllow;
      return IsOwner(who.user, repo) ? Verdict::kAllow : refuse();
    case Action::kPush:
    case Action::kDelete:
      if (who.anonymous()) return Verdict::kUnauthenticated;
      return str::StartsWith(repo, who.user + "/") ? Verdict::kAllow : Verdict::kDenied;
    case Action::kSettings:
      return IsOwner(who.user, repo) ? Verdict::kAllow : refuse();
  }
  return Verdict::kDenied;
}

std::vector<std::string> Policy::Grant(const Identity& who, const AccessEntry& requested) {
  std::vector<std::string> out;
  if (requested.type == "registry") {
    if (requested.name == "catalog") out = requested.actions;  // filtered per repository
    return out;
  }
  if (requested.type != "repository") return out;
  Identity plain = who;
  plain.bearer = false;
  for (const std::string& a : requested.actions) {
    Action act;
    if (a == "pull") act = Action::kPull;
    else if (a == "push") act = Action::kPush;
    else if (a == "delete") act = Action::kDelete;
    else if (a == "*") act = Action::kDelete;
    else continue;
    if (Check(plain, requested.name, act) == Verdict::kAllow) out.push_back(a);
  }
  return out;
}

}  // namespace berth::registry

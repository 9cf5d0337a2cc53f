// Registry authentication: credentials as Docker passes them (AuthConfig,
// the X-Registry-Auth header), WWW-Authenticate challenges (Basic, and
// Bearer with realm/service/scope: Docker's token flow), token scopes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::distribution {

// Docker's types.AuthConfig.
struct AuthConfig {
  std::string username;
  std::string password;
  std::string auth;  // base64("user:pass"), as config.json stores it
  std::string server_address;
  std::string identity_token;  // an OAuth refresh token
  std::string registry_token;  // a bearer token to use as is
  bool empty() const {
    return username.empty() && password.empty() && auth.empty() && identity_token.empty() &&
           registry_token.empty();
  }
};

// Parses the JSON of an AuthConfig (keys as Docker sends them: username,
// password, auth, serveraddress, identitytoken, registrytoken; any case).
// "auth" fills username and password when those are empty.
Result<AuthConfig> ParseAuthConfig(std::string_view json);
// X-Registry-Auth: base64url (or standard) of the AuthConfig JSON. An empty
// or "{}" header is no credentials. Malformed is kInvalidArgument.
Result<AuthConfig> DecodeRegistryAuth(std::string_view header);

struct Challenge {
  std::string scheme;                         // lower case: "basic", "bearer"
  std::map<std::string, std::string> params;  // realm, service, scope, error
};
// Parses one WWW-Authenticate value, which may hold several challenges
// ("Bearer realm=\"https://a/token\",service=\"reg\",scope=\"repository:x:pull\"").
std::vector<Challenge> ParseChallenges(std::string_view header);

// "repository:alice/app:pull,push" (actions sorted as given, deduplicated).
std::string RepositoryScope(std::string_view repo, const std::vector<std::string>& actions);

// The token endpoint's URL: realm?service=S&scope=A&scope=B[&account=U]
// (values query-escaped).
std::string TokenUrl(const Challenge& bearer, const std::vector<std::string>& scopes,
                     std::string_view account);

// The token from the endpoint's JSON ("token", else "access_token").
Result<std::string> ParseTokenResponse(std::string_view body);

}  // namespace berth::distribution

// The client's config file, shared with the docker CLI: <dir>/config.json
// where dir is $BERTH_CONFIG, else $DOCKER_CONFIG, else ~/.docker. berth
// reads and writes the same file as docker on purpose: `alias docker=berth`
// keeps a user's logins, and one `login` serves both clients.
//
// Credentials live under "auths" keyed by server ("https://index.docker.io/v1/"
// for Docker Hub, "localhost:5000" for others) as {"auth": base64("user:pass")},
// exactly as docker stores them without a credential helper. Every other key
// of the file is kept as it was. The file is written atomically with mode
// 0600 (its directory 0700 when created).
//
// Credential helpers, as docker: "credHelpers": {"<host>": "NAME"} names the
// helper for one registry, else "credsStore": "NAME" serves every registry
// (credential_helper.h). With a helper, the secret goes to
// docker-credential-NAME and the file keeps only an empty entry under
// "auths" (so logout and docker see the login).
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::cli {

struct Credentials {
  std::string username;
  std::string password;
  std::string server;  // the key it is stored under
};

class ConfigFile {
 public:
  // Reads dir/config.json (a missing file is an empty config).
  static Result<ConfigFile> Load(const std::string& dir);
  // The directory from the environment (see above); home is $HOME.
  static std::string DefaultDir();

  const std::string& path() const { return path_; }
  // The stored credentials for server (matched by key or by host name),
  // from its credential helper when it has one.
  Result<std::optional<Credentials>> Lookup(const std::string& server) const;
  // Lookup, with a helper's failure read as "none".
  std::optional<Credentials> Get(const std::string& server) const;
  // Stores credentials: in the helper (now) and an empty "auths" entry, or
  // in the file. Save() writes the file.
  Status Store(const std::string& server, const std::string& user, const std::string& password);
  // In the file only (no helper).
  void Set(const std::string& server, const std::string& user, const std::string& password);
  // Removes server from the file (false when it was not there) and erases
  // it from its helper if it has one; a helper's failure is returned in
  // *helper_error.
  bool Remove(const std::string& server, Status* helper_error = nullptr);
  // The helper for server ("" for none): credHelpers by host, else credsStore.
  std::string HelperFor(const std::string& server) const;
  Status Save() const;

 private:
  std::string dir_, path_;
  nlohmann::ordered_json doc_ = nlohmann::ordered_json::object();
};

// The key a server is stored under: "docker.io" and Docker Hub's URLs give
// "https://index.docker.io/v1/"; "http://host:port/path" gives "host:port".
std::string ServerKey(const std::string& server);
// The registry domain of an image reference's key ("localhost:5000/x" ->
// "localhost:5000", "busybox" -> Docker Hub's key).
std::string ServerKeyForImage(const std::string& image);
// X-Registry-Auth for credentials (base64url of the AuthConfig JSON);
// "" when none.
std::string EncodeRegistryAuth(const std::optional<Credentials>& c);

}  // namespace berth::cli

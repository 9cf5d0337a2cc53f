// The client's config file, shared with the docker CLI: <dir>/config.json
// where dir is $BERTH_CONFIG, else $DOCKER_CONFIG, else ~/.docker. berth
// reads and writes the same file as docker on purpose: `alias docker=berth`
// keeps a user's logins, and one `login` serves both clients.
//
// Credentials live under "auths" keyed by server ("https://index.docker.io/v1/"
// for Docker Hub, "localhost:5000" for others) as {"auth": base64("user:pass")},
// exactly as docker stores them without a credential helper. Every other key
// of the file is kept as it was. The file is written atomically with mode
// 0600 (its directory 0700 when created). Credential helpers (credsStore,
// credHelpers) are not supported: login refuses to write around them.
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
  // The stored credentials for server (matched by key or by host name).
  std::optional<Credentials> Get(const std::string& server) const;
  void Set(const std::string& server, const std::string& user, const std::string& password);
  // False when there was nothing stored for server.
  bool Remove(const std::string& server);
  bool UsesCredentialHelper() const;
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

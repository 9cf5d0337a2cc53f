#include "cli/config_file.h"

#include <sys/stat.h>

#include <cstdlib>

#include "base/base64.h"
#include "base/fs.h"
#include "base/reference.h"
#include "base/strings.h"
#include "cli/credential_helper.h"

namespace berth::cli {

using ojson = nlohmann::ordered_json;

namespace {

constexpr const char* kHubKey = "https://index.docker.io/v1/";

std::string HostOf(std::string s) {
  for (std::string_view p : {"http://", "https://"})
    if (str::StartsWith(s, p)) s = s.substr(p.size());
  if (auto slash = s.find('/'); slash != std::string::npos) s.resize(slash);
  return s;
}

}  // namespace

std::string ServerKey(const std::string& server) {
  std::string h = HostOf(std::string(str::Trim(server)));
  if (h.empty() || h == "docker.io" || h == "index.docker.io" || h == "registry-1.docker.io")
    return kHubKey;
  return h;
}

std::string ServerKeyForImage(const std::string& image) {
  auto r = ref::ParseNormalized(image);
  if (!r.ok()) return kHubKey;
  return ServerKey(r->domain);
}

std::string ConfigFile::DefaultDir() {
  for (const char* v : {"BERTH_CONFIG", "DOCKER_CONFIG"})
    if (const char* d = std::getenv(v); d && *d) return d;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.docker";
}

Result<ConfigFile> ConfigFile::Load(const std::string& dir) {
  ConfigFile f;
  f.dir_ = dir;
  f.path_ = dir + "/config.json";
  auto text = fs::ReadFile(f.path_);
  if (!text.ok()) {
    if (text.error().code() == Code::kNotFound) return f;
    return std::move(text).error();
  }
  if (str::Trim(*text).empty()) return f;
  f.doc_ = ojson::parse(*text, nullptr, false);
  if (f.doc_.is_discarded() || !f.doc_.is_object())
    return Error::Invalid("loading config file: " + f.path_ + ": invalid JSON");
  return f;
}

std::string ConfigFile::HelperFor(const std::string& server) const {
  std::string host = HostOf(ServerKey(server));
  if (auto h = doc_.find("credHelpers"); h != doc_.end() && h->is_object())
    for (auto e = h->begin(); e != h->end(); ++e)
      if (HostOf(e.key()) == host && e->is_string() && !e->get<std::string>().empty()) return *e;
  auto s = doc_.find("credsStore");
  if (s != doc_.end() && s->is_string()) return *s;
  return "";
}

Result<std::optional<Credentials>> ConfigFile::Lookup(const std::string& server) const {
  std::string key = ServerKey(server);
  if (std::string helper = HelperFor(key); !helper.empty()) {
    auto c = BERTH_TRY(credhelper::Get(helper, key));
    if (!c) return std::optional<Credentials>();
    return std::optional<Credentials>(Credentials{c->username, c->secret, key});
  }
  auto it = doc_.find("auths");
  if (it == doc_.end() || !it->is_object()) return std::optional<Credentials>();
  for (auto e = it->begin(); e != it->end(); ++e) {
    if (e.key() != key && ServerKey(e.key()) != key) continue;
    if (!e->is_object()) continue;
    std::string auth = e->value("auth", "");
    auto plain = base64::Decode(auth);
    if (!plain) continue;
    auto colon = plain->find(':');
    if (colon == std::string::npos) continue;
    return std::optional<Credentials>(Credentials{plain->substr(0, colon), plain->substr(colon + 1), e.key()});
  }
  return std::optional<Credentials>();
}

std::optional<Credentials> ConfigFile::Get(const std::string& server) const {
  auto c = Lookup(server);
  return c.ok() ? *c : std::nullopt;
}

Status ConfigFile::Store(const std::string& server, const std::string& user, const std::string& password) {
  std::string key = ServerKey(server);
  std::string helper = HelperFor(key);
  if (helper.empty()) {
    Set(key, user, password);
    return Ok();
  }
  BERTH_TRY(credhelper::Store(helper, {key, user, password}));
  if (!doc_.contains("auths") || !doc_["auths"].is_object()) doc_["auths"] = ojson::object();
  doc_["auths"][key] = ojson::object();
  return Ok();
}

void ConfigFile::Set(const std::string& server, const std::string& user, const std::string& password) {
  std::string key = ServerKey(server);
  if (!doc_.contains("auths") || !doc_["auths"].is_object()) doc_["auths"] = ojson::object();
  doc_["auths"][key] = {{"auth", base64::Encode(user + ":" + password)}};
}

bool ConfigFile::Remove(const std::string& server, Status* helper_error) {
  std::string key = ServerKey(server);
  auto it = doc_.find("auths");
  bool removed = false;
  if (it != doc_.end() && it->is_object()) {
    for (auto e = it->begin(); e != it->end();) {
      if (e.key() == key || ServerKey(e.key()) == key) {
        e = it->erase(e);
        removed = true;
      } else {
        ++e;
      }
    }
  }
  if (std::string helper = HelperFor(key); !helper.empty()) {
    Status s = credhelper::Erase(helper, key);
    if (helper_error) *helper_error = std::move(s);
  }
  return removed;
}

Status ConfigFile::Save() const {
  if (!fs::Exists(dir_)) BERTH_TRY(fs::MkdirAll(dir_, 0700));
  BERTH_TRY(fs::AtomicWrite(path_, doc_.dump(1, '\t') + "\n", 0600));
  // AtomicWrite may keep an umask-reduced mode; the file holds passwords.
  if (::chmod(path_.c_str(), 0600) != 0) return Error::Sys("chmod " + path_);
  return Ok();
}

std::string EncodeRegistryAuth(const std::optional<Credentials>& c) {
  if (!c) return "";
  ojson j = {{"username", c->username}, {"password", c->password}, {"serveraddress", c->server}};
  return base64::Encode(j.dump(), true);
}

}  // namespace berth::cli

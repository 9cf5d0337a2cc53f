#include "daemon/container_env.h"

#include <set>

#include "base/fs.h"
#include "base/log.h"
#include "base/random.h"
#include "base/digest.h"
#include "base/strings.h"
#include "daemon/discovery_service.h"
#include "discovery/config_env.h"
#include "discovery/container_services.h"
#include "image/image_store.h"

namespace berth::daemon {

using nlohmann::json;

Result<std::unique_ptr<ContainerEnv>> ContainerEnv::Open(const std::string& key_path,
                                                         DiscoveryService* discovery,
                                                         image::ImageStore* images) {
  std::unique_ptr<ContainerEnv> e(new ContainerEnv());
  e->discovery_ = discovery;
  e->images_ = images;
  auto key = fs::ReadFile(key_path);
  if (key.ok() && str::Trim(*key).size() >= 32) {
    e->key_ = std::string(str::Trim(*key));
  } else {
    e->key_ = rnd::Hex(32);
    BERTH_TRY_CTX(fs::AtomicWrite(key_path, e->key_ + "\n", 0600, true),
                  "write the discovery token key");
  }
  return e;
}

std::string ContainerEnv::TokenFor(const std::string& container_id) const {
  return HmacSha256Hex(key_, "berth-container-token:" + container_id).substr(0, 40);
}

void ContainerEnv::Remember(const std::string& token, const std::string& container_id,
                            const std::string& name, const std::string& ip) {
  if (token.empty()) return;
  std::lock_guard<std::mutex> l(mu_);
  // A container has one token: drop one it held before (a changed -e).
  std::erase_if(holders_, [&](const auto& kv) {
    return kv.second.id == container_id && kv.first != token;
  });
  holders_[token] = {container_id, name, ip};
}

void ContainerEnv::Forget(const std::string& container_id) {
  std::lock_guard<std::mutex> l(mu_);
  std::erase_if(holders_, [&](const auto& kv) {
    return kv.second.id == container_id;
  });
}

discovery::Caller ContainerEnv::Resolve(const std::string& token) {
  discovery::Caller c;
  std::lock_guard<std::mutex> l(mu_);
  auto it = holders_.find(token);
  if (it == holders_.end()) return c;
  c.known = true;
  c.owner = token;
  c.address = it->second.ip;
  c.kv_prefixes = {"containers/" + it->second.name + "/"};
  return c;
}

std::vector<std::string> ContainerEnv::ForStart(const engine::StartEnvInput& in) {
  std::vector<std::string> out;
  const json& cfg = *in.config;
  std::map<std::string, std::string> env = discovery::EnvMap(cfg);

  std::string addr;
  if (!in.gateway.empty()) {
    // A user-defined network's first container starts its gateway's listener.
    discovery_->ListenOnGateway(in.gateway);
    addr = discovery_->ContainerAddress(in.gateway);
  }
  if (!addr.empty()) {
    if (!env.count("CONSUL_HTTP_ADDR")) out.push_back("CONSUL_HTTP_ADDR=" + addr);
    std::string token = env.count("CONSUL_HTTP_TOKEN") ? env["CONSUL_HTTP_TOKEN"] : "";
    if (token.empty()) {
      token = TokenFor(in.id);
      out.push_back("CONSUL_HTTP_TOKEN=" + token);
    }
    Remember(token, in.id, in.name, in.ip);
  }

  if (!discovery::Truthy(discovery::Label(cfg, "berth.config-env"))) return out;
  std::string service = discovery::ServiceBaseName(cfg);
  auto values = discovery::ConfigEnv(*discovery_->store(), service, in.name);
  if (!values.ok()) {
    log::Warn("config-env of {}: {}", in.name, values.error().message());
    return out;
  }
  // What the user set: entries that are not the image's own.
  std::set<std::string> image_entries;
  if (images_) {
    if (auto img = images_->Inspect(in.image_id); img.ok())
      for (const json& e : img->value("Config", json::object()).value("Env", json::array()))
        if (e.is_string()) image_entries.insert(e.get<std::string>());
  }
  std::set<std::string> user_set;
  for (const json& e : cfg.value("Env", json::array()))
    if (e.is_string() && !image_entries.count(e.get<std::string>()))
      user_set.insert(str::Cut(e.get<std::string>(), '=').first);
  for (const std::string& v : *values)
    if (!user_set.count(v.substr(0, v.find('=')))) out.push_back(v);
  return out;
}

}  // namespace berth::daemon

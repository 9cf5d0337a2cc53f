#include "discovery/config_env.h"

#include <cctype>
#include <map>

#include "base/strings.h"

namespace berth::discovery {

bool ValidEnvName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') return false;
  return true;
}

std::vector<std::string> ResolveConfigEnv(const std::vector<KvEntry>& entries,
                                          const std::string& service,
                                          const std::string& instance) {
  // level 0 global, 1 service, 2 instance; a higher level replaces.
  std::map<std::string, std::pair<int, std::string>> vars;
  auto set = [&](const std::string& name, int level, const std::string& value) {
    if (!ValidEnvName(name)) return;
    auto it = vars.find(name);
    if (it == vars.end() || it->second.first <= level) vars[name] = {level, value};
  };
  const std::string global = std::string(kConfigPrefix) + "global/";
  const std::string svc = std::string(kConfigPrefix) + service + "/";
  const std::string inst = svc + instance + "/";
  for (const KvEntry& e : entries) {
    std::string_view k = e.key;
    if (str::StartsWith(k, global)) {
      set(std::string(k.substr(global.size())), 0, e.value);
    } else if (!service.empty() && service != "global" && str::StartsWith(k, svc)) {
      std::string_view rest = k.substr(svc.size());
      if (rest.find('/') == std::string_view::npos) {
        set(std::string(rest), 1, e.value);
      } else if (!instance.empty() && str::StartsWith(k, inst)) {
        set(std::string(k.substr(inst.size())), 2, e.value);
      }
    }
  }
  std::vector<std::string> out;
  for (const auto& [name, v] : vars) {
    if (v.second.find('\0') != std::string::npos) continue;  // no NUL in an environment
    out.push_back(name + "=" + v.second);
  }
  return out;
}

Result<std::vector<std::string>> ConfigEnv(Store& store, const std::string& service,
                                           const std::string& instance) {
  KvRead r = BERTH_TRY_CTX(store.KvGet(kConfigPrefix, true), "read config/");
  return ResolveConfigEnv(r.entries, service, instance);
}

}  // namespace berth::discovery

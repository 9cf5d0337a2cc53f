// Build arguments, stage state helpers and instruction flags (state.h).
#include <fmt/format.h>

#include <algorithm>

#include "base/strings.h"
#include "build/state.h"

namespace berth::build {
namespace {

const std::set<std::string> kBuiltinArgs = {
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
    "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

std::string KeyOf(const std::string& kv) { return kv.substr(0, kv.find('=')); }

}  // namespace

void BuildArgs::AddMeta(const std::string& key, std::optional<std::string> value) {
  meta_[key] = std::move(value);
}

void BuildArgs::Declare(const std::string& key, std::optional<std::string> value) {
  if (!declared_.count(key)) declared_order_.push_back(key);
  declared_[key] = std::move(value);
  referenced_.insert(key);
}

bool BuildArgs::IsBuiltin(const std::string& key) const { return kBuiltinArgs.count(key) > 0; }

std::optional<std::string> BuildArgs::Value(const std::string& key,
                                            const std::optional<std::string>& def) const {
  if (auto it = options_.find(key); it != options_.end() && it->second) return it->second;
  if (def) return def;
  if (auto it = meta_.find(key); it != meta_.end() && it->second) return it->second;
  return std::nullopt;
}

std::vector<std::string> BuildArgs::MetaEnv() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : meta_) {
    std::optional<std::string> val = v;
    if (auto it = options_.find(k); it != options_.end() && it->second) val = it->second;
    if (val) out.push_back(k + "=" + *val);
  }
  return out;
}

std::vector<std::string> BuildArgs::Effective(const json& env) const {
  std::set<std::string> in_env;
  if (env.is_array())
    for (const json& e : env)
      if (e.is_string()) in_env.insert(KeyOf(e.get<std::string>()));
  std::map<std::string, std::string> m;
  for (const std::string& k : kBuiltinArgs)
    if (auto it = options_.find(k); it != options_.end() && it->second) m[k] = *it->second;
  for (const auto& [k, def] : declared_)
    if (auto v = Value(k, def)) m[k] = *v;
  std::vector<std::string> out;
  for (const auto& [k, v] : m)
    if (!in_env.count(k)) out.push_back(k + "=" + v);
  return out;
}

std::vector<std::string> BuildArgs::Unconsumed() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : options_)
    if (!referenced_.count(k) && !IsBuiltin(k) && !meta_.count(k)) out.push_back(k);
  return out;
}

std::vector<std::string> StageState::Shell() const {
  auto it = run_config.find("Shell");
  if (it != run_config.end() && it->is_array() && !it->empty())
    return it->get<std::vector<std::string>>();
  return {"/bin/sh", "-c"};
}

std::vector<std::string> StageState::Env() const {
  auto it = run_config.find("Env");
  if (it != run_config.end() && it->is_array()) return it->get<std::vector<std::string>>();
  return {};
}

Result<std::map<std::string, std::string>> ParseFlags(const dockerfile::Instruction& in,
                                                      const std::set<std::string>& allowed) {
  std::map<std::string, std::string> out;
  for (const std::string& f : in.flags) {
    std::string body = f.substr(2);
    bool has_eq = false;
    auto [name, value] = str::Cut(body, '=', &has_eq);
    if (!allowed.count(name)) {
      if (in.name == "run" && name == "mount")
        return Error(Code::kNotImplemented,
                     "RUN --mount is not supported by berth's builder yet (it needs BuildKit in "
                     "Docker too): remove the flag or copy the files with COPY");
      if ((in.name == "run" && (name == "network" || name == "security")))
        return Error(Code::kNotImplemented,
                     fmt::format("RUN --{} is not supported by berth's builder", name));
      return Error::Invalid(fmt::format("Unknown flag: {}", name));
    }
    if (!has_eq && name != "link") return Error::Invalid(fmt::format("Missing a value on flag: {}", name));
    out[name] = value;
  }
  return out;
}

std::string Short(const std::string& id) {
  std::string hex = str::StartsWith(id, "sha256:") ? id.substr(7) : id;
  return hex.substr(0, 12);
}

}  // namespace berth::build

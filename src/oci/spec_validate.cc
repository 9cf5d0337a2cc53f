// Validate(): the checks on a parsed config.json that need no host access.
#include <set>
#include <string_view>

#include "oci/runtime_spec_codec.h"

namespace berth::oci {

namespace {

constexpr std::string_view kNamespaceTypes[] = {"pid", "network", "mount", "ipc",
                                                "uts", "user",    "cgroup"};

constexpr std::string_view kRlimitTypes[] = {
    "RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",        "RLIMIT_DATA",
    "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",    "RLIMIT_MSGQUEUE",
    "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",      "RLIMIT_RSS",
    "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"};

template <size_t N>
bool Known(const std::string_view (&names)[N], std::string_view name) {
  for (std::string_view n : names)
    if (n == name) return true;
  return false;
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

std::string At(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

Error Invalid(const std::string& field, const std::string& message) {
  return Error::Invalid(field + ": " + message);
}

Status CheckAbsolute(const std::string& field, const std::string& path) {
  if (path.empty() || path[0] != '/')
    return Invalid(field, "must be an absolute path, got " + Quote(path));
  return Ok();
}

Status ValidateProcess(const Spec& spec) {
  if (!spec.has_process) return Error::Invalid("process: missing");
  const Process& p = spec.process;
  if (p.args.empty()) return Invalid("process.args", "must not be empty");
  BERTH_TRY(CheckAbsolute("process.cwd", p.cwd));
  std::set<std::string> seen;
  for (size_t i = 0; i < p.rlimits.size(); ++i) {
    const std::string& type = p.rlimits[i].type;
    if (!Known(kRlimitTypes, type))
      return Invalid(At("process.rlimits", i) + ".type", "unknown rlimit type " + Quote(type));
    if (!seen.insert(type).second)
      return Invalid(At("process.rlimits", i) + ".type", "duplicate rlimit type " + Quote(type));
  }
  return Ok();
}

Status ValidateMounts(const Spec& spec) {
  for (size_t i = 0; i < spec.mounts.size(); ++i)
    BERTH_TRY(CheckAbsolute(At("mounts", i) + ".destination", spec.mounts[i].destination));
  return Ok();
}

Status ValidateHookList(std::string_view name, const std::vector<Hook>& hooks) {
  for (size_t i = 0; i < hooks.size(); ++i) {
    const std::string field = At("hooks." + std::string(name), i);
    BERTH_TRY(CheckAbsolute(field + ".path", hooks[i].path));
    if (hooks[i].timeout && *hooks[i].timeout <= 0)
      return Invalid(field + ".timeout",
                     "must be positive, got " + std::to_string(*hooks[i].timeout));
  }
  return Ok();
}

Status ValidateHooks(const Hooks& h) {
  BERTH_TRY(ValidateHookList("prestart", h.prestart));
  BERTH_TRY(ValidateHookList("createRuntime", h.create_runtime));
  BERTH_TRY(ValidateHookList("createContainer", h.create_container));
  BERTH_TRY(ValidateHookList("startContainer", h.start_container));
  BERTH_TRY(ValidateHookList("poststart", h.poststart));
  BERTH_TRY(ValidateHookList("poststop", h.poststop));
  return Ok();
}

Status ValidateNamespaces(const Linux& linux) {
  std::set<std::string> seen;
  const Namespace* user = nullptr;
  for (size_t i = 0; i < linux.namespaces.size(); ++i) {
    const Namespace& ns = linux.namespaces[i];
    const std::string field = At("linux.namespaces", i);
    if (!Known(kNamespaceTypes, ns.type))
      return Invalid(field + ".type", "unknown namespace type " + Quote(ns.type));
    if (!seen.insert(ns.type).second)
      return Invalid(field + ".type", "duplicate namespace type " + Quote(ns.type));
    if (!ns.path.empty()) BERTH_TRY(CheckAbsolute(field + ".path", ns.path));
    if (ns.type == "user") user = &ns;
  }
  bool new_user_ns = user != nullptr && user->path.empty();
  if (new_user_ns && linux.uid_mappings.empty())
    return Invalid("linux.uidMappings", "a new user namespace needs uid mappings");
  if (new_user_ns && linux.gid_mappings.empty())
    return Invalid("linux.gidMappings", "a new user namespace needs gid mappings");
  if (user == nullptr && !linux.uid_mappings.empty())
    return Invalid("linux.uidMappings", "mappings need a user namespace");
  if (user == nullptr && !linux.gid_mappings.empty())
    return Invalid("linux.gidMappings", "mappings need a user namespace");
  return Ok();
}

}  // namespace

Status Validate(const Spec& spec) {
  if (spec.root.path.empty()) return Invalid("root.path", "must not be empty");
  BERTH_TRY(ValidateProcess(spec));
  BERTH_TRY(ValidateMounts(spec));
  BERTH_TRY(ValidateHooks(spec.hooks));
  BERTH_TRY(ValidateNamespaces(spec.linux));
  return Ok();
}

}  // namespace berth::oci

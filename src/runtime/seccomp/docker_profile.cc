#include "runtime/seccomp/docker_profile.h"

#include <fmt/format.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/strings.h"

namespace berth::seccomp {
namespace {

using Json = nlohmann::json;

constexpr const char* kField = "seccomp profile";

// Go architecture name -> libseccomp's name for it as the native arch.
constexpr std::pair<const char*, const char*> kNativeArch[] = {
    {"386", "SCMP_ARCH_X86"},
    {"amd64", "SCMP_ARCH_X86_64"},
    {"arm", "SCMP_ARCH_ARM"},
    {"arm64", "SCMP_ARCH_AARCH64"},
    {"mips", "SCMP_ARCH_MIPS"},
    {"mipsle", "SCMP_ARCH_MIPSEL"},
    {"mips64", "SCMP_ARCH_MIPS64"},
    {"mips64le", "SCMP_ARCH_MIPSEL64"},
    {"mips64n32", "SCMP_ARCH_MIPS64N32"},
    {"mipsel64", "SCMP_ARCH_MIPSEL64"},
    {"mipsel64n32", "SCMP_ARCH_MIPSEL64N32"},
    {"ppc", "SCMP_ARCH_PPC"},
    {"ppc64", "SCMP_ARCH_PPC64"},
    {"ppc64le", "SCMP_ARCH_PPC64LE"},
    {"riscv64", "SCMP_ARCH_RISCV64"},
    {"s390", "SCMP_ARCH_S390"},
    {"s390x", "SCMP_ARCH_S390X"},
};

// What the includes/excludes of an entry are checked against.
struct Target {
  std::vector<std::string> caps;  // normalised: "CAP_SYS_ADMIN"
  std::string arch;               // "amd64"
  KernelVersion kernel;
};

Error TypeError(const std::string& path, const char* expected) {
  return Error::Invalid(fmt::format("{}: {}: expected {}", kField, path, expected));
}

// Field readers: a missing or null field reads as empty.
const Json* Field(const Json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

Result<std::string> ReadString(const Json& object, const char* key, const std::string& path) {
  const Json* v = Field(object, key);
  if (!v) return std::string();
  if (!v->is_string()) return TypeError(path, "a string");
  return v->get<std::string>();
}

Result<std::vector<std::string>> ReadStrings(const Json& object, const char* key,
                                             const std::string& path) {
  std::vector<std::string> out;
  const Json* v = Field(object, key);
  if (!v) return out;
  if (!v->is_array()) return TypeError(path, "an array of strings");
  for (const Json& item : *v) {
    if (!item.is_string()) return TypeError(path, "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::optional<uint64_t>> ReadUint(const Json& object, const char* key,
                                         const std::string& path, uint64_t max) {
  const Json* v = Field(object, key);
  if (!v) return std::optional<uint64_t>();
  if (!v->is_number_unsigned() || v->get<uint64_t>() > max) {
    return TypeError(path, max == UINT64_MAX ? "an unsigned integer" : "a uint32");
  }
  return std::optional<uint64_t>(v->get<uint64_t>());
}

Status ExpectObject(const Json* v, const std::string& path) {
  if (v && !v->is_object()) return TypeError(path, "an object");
  return Ok();
}

Result<KernelVersion> ParseKernel(std::string_view text) {
  std::vector<std::string> parts = str::Split(text, '.');
  std::optional<uint64_t> major, minor;
  if (parts.size() >= 2) {
    major = str::ParseUint(parts[0]);
    // "6.1.0-18-amd64": the minor ends at the first non-digit.
    std::string_view rest = parts[1];
    minor = str::ParseUint(rest.substr(0, rest.find_first_not_of("0123456789")));
  }
  if (!major || !minor || *major > 1000 || *minor > 1000) {
    return Error::Invalid(fmt::format("invalid kernel version \"{}\"", text));
  }
  return KernelVersion{static_cast<int>(*major), static_cast<int>(*minor)};
}

std::string NormaliseCap(std::string_view cap) {
  std::string upper(cap);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return str::StartsWith(upper, "CAP_") ? upper : "CAP_" + upper;
}

bool Holds(const Target& target, const std::string& cap) {
  return std::find(target.caps.begin(), target.caps.end(), NormaliseCap(cap)) != target.caps.end();
}

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Whether an entry's includes/excludes select it for `target`.
Result<bool> Applies(const Json& entry, const Target& target, const std::string& path) {
  const Json* includes = Field(entry, "includes");
  const Json* excludes = Field(entry, "excludes");
  BERTH_TRY(ExpectObject(includes, path + ".includes"));
  BERTH_TRY(ExpectObject(excludes, path + ".excludes"));
  if (includes) {
    std::string p = path + ".includes";
    auto arches = BERTH_TRY(ReadStrings(*includes, "arches", p + ".arches"));
    if (!arches.empty() && !Contains(arches, target.arch)) return false;
    for (const std::string& cap : BERTH_TRY(ReadStrings(*includes, "caps", p + ".caps"))) {
      if (!Holds(target, cap)) return false;
    }
    std::string min = BERTH_TRY(ReadString(*includes, "minKernel", p + ".minKernel"));
    if (!min.empty()) {
      KernelVersion v = BERTH_TRY_CTX(ParseKernel(min), fmt::format("{}: {}.minKernel", kField, p));
      if (target.kernel < v) return false;
    }
  }
  if (excludes) {
    std::string p = path + ".excludes";
    if (Contains(BERTH_TRY(ReadStrings(*excludes, "arches", p + ".arches")), target.arch)) {
      return false;
    }
    for (const std::string& cap : BERTH_TRY(ReadStrings(*excludes, "caps", p + ".caps"))) {
      if (Holds(target, cap)) return false;
    }
    std::string min = BERTH_TRY(ReadString(*excludes, "minKernel", p + ".minKernel"));
    if (!min.empty()) {
      KernelVersion v = BERTH_TRY_CTX(ParseKernel(min), fmt::format("{}: {}.minKernel", kField, p));
      if (target.kernel >= v) return false;
    }
  }
  return true;
}

Result<std::vector<oci::SeccompArg>> ReadArgs(const Json& entry, const std::string& path) {
  std::vector<oci::SeccompArg> out;
  const Json* args = Field(entry, "args");
  if (!args) return out;
  if (!args->is_array()) return TypeError(path + ".args", "an array");
  for (size_t i = 0; i < args->size(); ++i) {
    const Json& arg = (*args)[i];
    std::string p = fmt::format("{}.args[{}]", path, i);
    if (!arg.is_object()) return TypeError(p, "an object");
    oci::SeccompArg out_arg;
    out_arg.index = static_cast<uint32_t>(
        BERTH_TRY(ReadUint(arg, "index", p + ".index", UINT32_MAX)).value_or(0));
    out_arg.value = BERTH_TRY(ReadUint(arg, "value", p + ".value", UINT64_MAX)).value_or(0);
    out_arg.value_two =
        BERTH_TRY(ReadUint(arg, "valueTwo", p + ".valueTwo", UINT64_MAX)).value_or(0);
    out_arg.op = BERTH_TRY(ReadString(arg, "op", p + ".op"));
    out.push_back(std::move(out_arg));
  }
  return out;
}

Result<oci::SeccompSyscall> ReadSyscall(const Json& entry, const std::string& path) {
  oci::SeccompSyscall out;
  std::string name = BERTH_TRY(ReadString(entry, "name", path + ".name"));
  out.names = BERTH_TRY(ReadStrings(entry, "names", path + ".names"));
  if (!name.empty() && !out.names.empty()) {
    return Error::Invalid(fmt::format("{}: {}: both name and names are set", kField, path));
  }
  if (!name.empty()) out.names.push_back(std::move(name));
  out.action = BERTH_TRY(ReadString(entry, "action", path + ".action"));
  if (auto e = BERTH_TRY(ReadUint(entry, "errnoRet", path + ".errnoRet", UINT32_MAX))) {
    out.errno_ret = static_cast<uint32_t>(*e);
  }
  out.args = BERTH_TRY(ReadArgs(entry, path));
  return out;
}

// archMap: the native architecture and its sub-architectures; or the plain
// `architectures` list of older profiles.
Result<std::vector<std::string>> ReadArchitectures(const Json& root, std::string_view arch) {
  auto plain = BERTH_TRY(ReadStrings(root, "architectures", "architectures"));
  const Json* map = Field(root, "archMap");
  if (!map) return plain;
  if (!plain.empty()) {
    return Error::Invalid(fmt::format("{}: both architectures and archMap are set", kField));
  }
  if (!map->is_array()) return TypeError("archMap", "an array");
  const char* native = nullptr;
  for (const auto& [go_name, scmp_name] : kNativeArch) {
    if (arch == go_name) native = scmp_name;
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < map->size() && native; ++i) {
    const Json& entry = (*map)[i];
    std::string p = fmt::format("archMap[{}]", i);
    if (!entry.is_object()) return TypeError(p, "an object");
    if (BERTH_TRY(ReadString(entry, "architecture", p + ".architecture")) != native) continue;
    out.emplace_back(native);
    for (std::string& sub :
         BERTH_TRY(ReadStrings(entry, "subArchitectures", p + ".subArchitectures"))) {
      out.push_back(std::move(sub));
    }
  }
  return out;
}

Result<oci::Seccomp> Resolve(const Json& root, const Target& target) {
  if (!root.is_object()) return Error::Invalid(fmt::format("{}: expected an object", kField));
  oci::Seccomp out;
  out.default_action = BERTH_TRY(ReadString(root, "defaultAction", "defaultAction"));
  if (out.default_action.empty()) {
    return Error::Invalid(fmt::format("{}: defaultAction: missing", kField));
  }
  if (auto e = BERTH_TRY(ReadUint(root, "defaultErrnoRet", "defaultErrnoRet", UINT32_MAX))) {
    out.default_errno_ret = static_cast<uint32_t>(*e);
  }
  out.flags = BERTH_TRY(ReadStrings(root, "flags", "flags"));
  out.listener_path = BERTH_TRY(ReadString(root, "listenerPath", "listenerPath"));
  out.architectures = BERTH_TRY(ReadArchitectures(root, target.arch));

  const Json* syscalls = Field(root, "syscalls");
  if (syscalls && !syscalls->is_array()) return TypeError("syscalls", "an array");
  for (size_t i = 0; syscalls && i < syscalls->size(); ++i) {
    const Json& entry = (*syscalls)[i];
    std::string path = fmt::format("syscalls[{}]", i);
    if (!entry.is_object()) return TypeError(path, "an object");
    if (!BERTH_TRY(Applies(entry, target, path))) continue;
    out.syscalls.push_back(BERTH_TRY(ReadSyscall(entry, path)));
  }
  return out;
}

}  // namespace

Result<KernelVersion> RunningKernel() {
  utsname name{};
  if (uname(&name) < 0) return Error::Sys("uname");
  return ParseKernel(name.release).Context("uname");
}

Result<oci::Seccomp> FromDockerProfile(std::string_view profile_json,
                                       const std::vector<std::string>& caps,
                                       std::string_view arch) {
  KernelVersion kernel = BERTH_TRY(RunningKernel());
  return FromDockerProfile(profile_json, caps, arch, kernel);
}

Result<oci::Seccomp> FromDockerProfile(std::string_view profile_json,
                                       const std::vector<std::string>& caps, std::string_view arch,
                                       KernelVersion kernel) {
  Json root = Json::parse(profile_json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Error::Invalid(fmt::format("{}: invalid JSON", kField));
  Target target{.arch = std::string(arch), .kernel = kernel};
  for (const std::string& cap : caps) target.caps.push_back(NormaliseCap(cap));
  return Resolve(root, target);
}

}  // namespace berth::seccomp

// Helpers shared by the spec builder's files (not part of its interface).
//
// Vocabulary: "config" is Docker's container Config, "host config" its
// HostConfig, both as the Engine API's JSON. Accessors treat a missing
// member and a null one alike.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "engine/spec/spec_builder.h"
#include "oci/runtime_spec.h"

namespace berth::engine::spec {

using nlohmann::json;

// --- JSON access (missing or null → default; a wrong type → default too:
// the Engine API decoder rejects wrong types before we see them).
std::string Str(const json& j, const char* key);
int64_t Int(const json& j, const char* key, int64_t def = 0);
bool Bool(const json& j, const char* key);
bool Has(const json& j, const char* key);  // present and not null
std::vector<std::string> Strs(const json& j, const char* key);
// Go's %q for simple strings: "text" with \" and \\ escaped.
std::string Quote(const std::string& s);

// --- capabilities (capabilities.cc)
// Docker's default set, in Docker's order.
const std::vector<std::string>& DefaultCapabilities();
// "net_admin", "CAP_NET_ADMIN" → "CAP_NET_ADMIN"; "all" → "ALL". Error
// `unknown capability: "CAP_FOO"`.
Result<std::vector<std::string>> NormalizeCapabilities(const std::vector<std::string>& caps);
// Docker's TweakCapabilities: privileged → all; ALL in adds → all but drops;
// ALL in drops → only adds; else defaults − drops + adds (no duplicates).
Result<std::vector<std::string>> ContainerCapabilities(const std::vector<std::string>& add,
                                                       const std::vector<std::string>& drop,
                                                       bool privileged);

// --- user (user.cc)
struct ExecUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;
  std::string home = "/";
};
// Resolves Config.User ("", "uid", "uid:gid", "name", "name:group") and
// HostConfig.GroupAdd against passwd and group file contents (nullopt: the
// file does not exist).
Result<ExecUser> ResolveUser(const std::string& user, const std::vector<std::string>& group_add,
                             const std::optional<std::string>& passwd,
                             const std::optional<std::string>& group);
// Reads <rootfs>/<path> without following symlinks out of rootfs; nullopt
// when it does not exist.
Result<std::optional<std::string>> ReadInRoot(const std::string& rootfs, const std::string& path);

// --- mounts (mounts.cc)
// A parsed HostConfig.Binds entry.
struct BindSpec {
  std::string source, destination;
  bool read_only = false;
  std::string propagation;  // "" = default (rprivate)
  bool volume = false;      // a volume: source is its name ("" for an anonymous one)
};
Result<BindSpec> ParseBind(const std::string& spec);
// Docker's MergeTmpfsOptions: later flags and data keys win; errors
// `Invalid tmpfs option ["foo"]`.
Result<std::vector<std::string>> MergeTmpfsOptions(const std::vector<std::string>& options);
// Checks a HostConfig.Mounts entry (and that a bind source exists); binds and
// volumes are parsed by volume::ParseMount.
Status ValidateMount(const json& m);
// The tmpfs options string of --mount type=tmpfs (TmpfsOptions, ReadOnly).
std::string TmpfsOptionsString(const json& m);
Status ValidateMountDestination(const std::string& type, const std::string& dest);
// The spec's mounts: Docker's defaults (minus those a user mount replaces),
// /dev/shm by IpcMode, the /etc files, then in.mounts, Tmpfs and tmpfs
// Mounts sorted by depth, then the init binary. Touches no file.
Result<std::vector<oci::Mount>> BuildMounts(const SpecInput& in, const json& host_config);

// --- devices (devices.cc)
struct DeviceMapping {
  std::string path_on_host, path_in_container, permissions = "rwm";
};
// "host[:container][:perms]".
Result<DeviceMapping> ParseDevice(const std::string& spec);
bool ValidDeviceMode(const std::string& mode);
Status ValidateDeviceCgroupRule(const std::string& rule);
Result<oci::DeviceCgroup> ParseDeviceCgroupRule(const std::string& rule);
// Docker's default device cgroup rules (deny all, then allow the basics).
std::vector<oci::DeviceCgroup> DefaultDeviceRules();
// Devices of a --device mapping (all nodes under it when it is a directory).
Status AddDevice(const DeviceMapping& d, std::vector<oci::Device>* devices,
                 std::vector<oci::DeviceCgroup>* rules);
// Every device node under the host's /dev, for privileged containers.
Result<std::vector<oci::Device>> HostDevices();

// --- security options (host_config.cc)
struct SecurityOptions {
  bool no_new_privileges = false;
  bool seccomp_unconfined = false;
  std::string seccomp_profile;  // custom profile JSON; empty: the default
  std::string apparmor_profile;
};
Result<SecurityOptions> ParseSecurityOpts(const std::vector<std::string>& opts);

// Docker 20.10's masked and read-only paths (HostConfig.MaskedPaths and
// ReadonlyPaths when the client sends none).
const std::vector<std::string>& DefaultMaskedPaths();
const std::vector<std::string>& DefaultReadonlyPaths();

// Ulimit names Docker accepts ("nofile").
bool KnownUlimit(const std::string& name);

// Go's names of the running machine's architecture ("amd64").
std::string GoArch();

}  // namespace berth::engine::spec

// NormalizeHostConfig: the checks and defaults of docker create
// (moby's verifyContainerSettings, verifyPlatformContainerResources and
// adaptContainerSettings), as a list of phases over the JSON.
#include <sched.h>
#include <unistd.h>

#include <set>

#include "base/fs.h"
#include "base/strings.h"
#include "engine/spec/internal.h"
#include "engine/spec/spec_builder.h"

namespace berth::engine {

using spec::Bool;
using spec::Has;
using spec::Int;
using spec::json;
using spec::Quote;
using spec::Str;
using spec::Strs;

namespace spec {

Result<SecurityOptions> ParseSecurityOpts(const std::vector<std::string>& opts) {
  SecurityOptions out;
  for (const std::string& opt : opts) {
    if (opt == "no-new-privileges") {
      out.no_new_privileges = true;
      continue;
    }
    if (opt == "disable") continue;  // SELinux labels: not applied
    std::string key, value;
    bool found = false;
    if (opt.find('=') != std::string::npos) {
      std::tie(key, value) = str::Cut(opt, '=', &found);
    } else if (opt.find(':') != std::string::npos) {
      std::tie(key, value) = str::Cut(opt, ':', &found);
    }
    if (!found) return Error::Invalid("invalid --security-opt 1: " + Quote(opt));
    if (key == "label") continue;
    if (key == "apparmor") {
      out.apparmor_profile = value;
    } else if (key == "seccomp") {
      out.seccomp_unconfined = value == "unconfined";
      out.seccomp_profile = value == "unconfined" || value == "builtin" ? "" : value;
    } else if (key == "no-new-privileges") {
      if (value == "true" || value == "1" || value == "t" || value == "T" || value == "TRUE" ||
          value == "True") {
        out.no_new_privileges = true;
      } else if (value == "false" || value == "0" || value == "f" || value == "F" ||
                 value == "FALSE" || value == "False") {
        out.no_new_privileges = false;
      } else {
        return Error::Invalid("invalid --security-opt 2: " + Quote(opt));
      }
    } else {
      return Error::Invalid("invalid --security-opt 2: " + Quote(opt));
    }
  }
  if (!out.seccomp_profile.empty()) {
    json parsed = json::parse(out.seccomp_profile, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object())
      return Error::Invalid("Decoding seccomp profile failed: invalid JSON");
  }
  return out;
}

}  // namespace spec

namespace {

constexpr int64_t kMinMemory = 6291456;  // 6 MiB
constexpr int64_t kDefaultShmSize = 64 << 20;
constexpr int64_t kMinCpuShares = 2;
constexpr int64_t kMaxCpuShares = 262144;

int NumCpu() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<int>(n) : 1;
}

bool CgroupV2() { return fs::Exists("/sys/fs/cgroup/cgroup.controllers"); }

// Sets j[key] = def when missing or null.
void Default(json& j, const char* key, json def) {
  if (!Has(j, key)) j[key] = std::move(def);
}

// "0-3,5" → {0,1,2,3,5}; error "invalid format: <s>".
Result<std::set<int>> ParseList(const std::string& s) {
  std::set<int> out;
  if (s.empty()) return out;
  for (const std::string& part : str::Split(s, ',')) {
    bool range = false;
    auto [a, b] = str::Cut(part, '-', &range);
    auto lo = str::ParseUint(a);
    auto hi = range ? str::ParseUint(b) : lo;
    if (!lo || !hi || *hi < *lo || *hi > 65535)
      return Error::Invalid("invalid format: " + s);
    for (uint64_t i = *lo; i <= *hi; ++i) out.insert(static_cast<int>(i));
  }
  return out;
}

Status CheckCpuset(const std::string& value, const char* what, const char* online_file,
                   const char* unavailable) {
  auto want = ParseList(value);
  if (!want.ok())
    return Error::Invalid("Invalid value " + value + " for cpuset " + what + ": " +
                          want.error().message());
  auto online_text = fs::ReadFile(online_file);
  if (!online_text.ok()) return Ok();
  std::string online(str::Trim(*online_text));
  auto have = ParseList(online);
  if (!have.ok()) return Ok();
  for (int c : *want)
    if (!have->count(c))
      return Error::Invalid(std::string(unavailable) + " - requested " + value +
                            ", available: " + online);
  return Ok();
}

Status CheckRestartPolicy(json& h) {
  Default(h, "RestartPolicy", json{{"Name", "no"}, {"MaximumRetryCount", 0}});
  json& p = h["RestartPolicy"];
  if (!p.is_object()) p = json{{"Name", "no"}, {"MaximumRetryCount", 0}};
  std::string name = Str(p, "Name");
  int64_t retries = Int(p, "MaximumRetryCount");
  if (name.empty()) name = "no";
  if (name == "always" || name == "unless-stopped" || name == "no") {
    if (retries != 0)
      return Error::Invalid("maximum retry count cannot be used with restart policy '" + name +
                            "'");
  } else if (name == "on-failure") {
    if (retries < 0) return Error::Invalid("maximum retry count cannot be negative");
  } else {
    return Error::Invalid("invalid restart policy '" + name + "'");
  }
  p["Name"] = name;
  p["MaximumRetryCount"] = retries;
  if (Bool(h, "AutoRemove") && name != "no")
    return Error::Invalid("can't create 'AutoRemove' container with restart policy");
  return Ok();
}

Status CheckMemory(json& h) {
  int64_t memory = Int(h, "Memory");
  int64_t swap = Int(h, "MemorySwap");
  int64_t reservation = Int(h, "MemoryReservation");
  if (Has(h, "MemorySwappiness") && Int(h, "MemorySwappiness") == -1)
    h["MemorySwappiness"] = nullptr;
  if (memory != 0 && memory < kMinMemory)
    return Error::Invalid("Minimum memory limit allowed is 6MB");
  if (memory > 0 && swap > 0 && swap < memory)
    return Error::Invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
  if (memory == 0 && swap > 0)
    return Error::Invalid(
        "You should always set the Memory limit when using Memoryswap limit, see usage");
  if (Has(h, "MemorySwappiness")) {
    int64_t s = Int(h, "MemorySwappiness");
    if (s < 0 || s > 100)
      return Error::Invalid("Invalid value: " + std::to_string(s) +
                            ", valid memory swappiness range is 0-100");
  }
  if (reservation > 0 && reservation < kMinMemory)
    return Error::Invalid("Minimum memory reservation allowed is 6MB");
  if (memory > 0 && reservation > 0 && memory < reservation)
    return Error::Invalid(
        "Minimum memory limit can not be less than memory reservation limit, see usage");
  int64_t kernel = Int(h, "KernelMemory");
  if (kernel > 0 && kernel < kMinMemory)
    return Error::Invalid("Minimum kernel memory limit allowed is 6MB");
  if (memory > 0 && swap == 0) h["MemorySwap"] = memory * 2;
  return Ok();
}

Status CheckCpu(json& h) {
  int64_t nano = Int(h, "NanoCpus");
  int64_t period = Int(h, "CpuPeriod");
  int64_t quota = Int(h, "CpuQuota");
  if (nano > 0 && period > 0)
    return Error::Invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
  if (nano > 0 && quota > 0)
    return Error::Invalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
  int ncpu = NumCpu();
  if (nano < 0 || nano > int64_t{ncpu} * 1000000000) {
    std::string n = std::to_string(ncpu);
    return Error::Invalid("Range of CPUs is from 0.01 to " + n + ".00, as there are only " + n +
                          " CPUs available");
  }
  if (period != 0 && (period < 1000 || period > 1000000))
    return Error::Invalid(
        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  if (quota > 0 && quota < 1000)
    return Error::Invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
  int64_t shares = Int(h, "CpuShares");
  if (shares < 0) return Error::Invalid("shares: invalid argument");
  if (shares > 0 && shares < kMinCpuShares) h["CpuShares"] = kMinCpuShares;
  if (shares > kMaxCpuShares) h["CpuShares"] = kMaxCpuShares;
  BERTH_TRY(CheckCpuset(Str(h, "CpusetCpus"), "cpus", "/sys/devices/system/cpu/online",
                        "Requested CPUs are not available"));
  BERTH_TRY(CheckCpuset(Str(h, "CpusetMems"), "mems", "/sys/devices/system/node/online",
                        "Requested memory nodes are not available"));
  int64_t weight = Int(h, "BlkioWeight");
  if (weight > 0 && (weight < 10 || weight > 1000))
    return Error::Invalid("Range of blkio weight is from 10 to 1000");
  return Ok();
}

Status CheckModes(json& h) {
  std::string ipc = Str(h, "IpcMode");
  if (ipc.empty()) ipc = "private";
  if (ipc != "private" && ipc != "host" && ipc != "shareable" && ipc != "none" &&
      !(str::StartsWith(ipc, "container:") && ipc.size() > 10))
    return Error::Invalid("invalid IPC mode: " + ipc);
  h["IpcMode"] = ipc;
  std::string pid = Str(h, "PidMode");
  if (!pid.empty() && pid != "host" && !(str::StartsWith(pid, "container:") && pid.size() > 10))
    return Error::Invalid("invalid PID mode: " + pid);
  std::string uts = Str(h, "UTSMode");
  if (!uts.empty() && uts != "host") return Error::Invalid("invalid UTS mode: " + uts);
  std::string cgroupns = Str(h, "CgroupnsMode");
  if (cgroupns.empty()) cgroupns = CgroupV2() ? "private" : "host";
  if (cgroupns != "host" && cgroupns != "private")
    return Error::Invalid("invalid cgroup namespace mode: " + cgroupns);
  h["CgroupnsMode"] = cgroupns;
  if (Str(h, "NetworkMode").empty()) h["NetworkMode"] = "default";
  int64_t shm = Int(h, "ShmSize");
  if (shm < 0) return Error::Invalid("SHM size can not be less than 0");
  if (shm == 0) h["ShmSize"] = kDefaultShmSize;
  int64_t oom = Int(h, "OomScoreAdj");
  if (oom < -1000 || oom > 1000)
    return Error::Invalid("Invalid value " + std::to_string(oom) +
                          ", range for oom score adj is [-1000, 1000]");
  return Ok();
}

Status CheckUlimits(const json& h) {
  if (!Has(h, "Ulimits") || !h["Ulimits"].is_array()) return Ok();
  for (const json& u : h["Ulimits"]) {
    std::string name = Str(u, "Name");
    if (!spec::KnownUlimit(name)) return Error::Invalid("invalid ulimit type: " + name);
    int64_t soft = Int(u, "Soft"), hard = Int(u, "Hard");
    if (soft > hard)
      return Error::Invalid("ulimit soft limit must be less than or equal to hard limit: " +
                            std::to_string(soft) + " > " + std::to_string(hard));
  }
  return Ok();
}

// Devices may come as objects (the API) or "host:container:perms" strings.
Status CheckDevices(json& h) {
  json out = json::array();
  if (Has(h, "Devices") && h["Devices"].is_array()) {
    for (const json& d : h["Devices"]) {
      spec::DeviceMapping m;
      if (d.is_string()) {
        m = BERTH_TRY(spec::ParseDevice(d.get<std::string>()));
      } else {
        m.path_on_host = Str(d, "PathOnHost");
        m.path_in_container = Str(d, "PathInContainer");
        m.permissions = Str(d, "CgroupPermissions");
        if (m.path_in_container.empty()) m.path_in_container = m.path_on_host;
        if (m.permissions.empty()) m.permissions = "rwm";
        if (!spec::ValidDeviceMode(m.permissions))
          return Error::Invalid("invalid device mode: " + m.permissions);
        if (m.path_on_host.empty() || m.path_on_host[0] != '/')
          return Error::Invalid(m.path_on_host + " is not an absolute path");
        if (m.path_in_container[0] != '/')
          return Error::Invalid(m.path_in_container + " is not an absolute path");
      }
      out.push_back({{"PathOnHost", m.path_on_host},
                     {"PathInContainer", m.path_in_container},
                     {"CgroupPermissions", m.permissions}});
    }
  }
  h["Devices"] = out;
  for (const std::string& rule : Strs(h, "DeviceCgroupRules"))
    BERTH_TRY(spec::ValidateDeviceCgroupRule(rule));
  return Ok();
}

// Binds, Mounts and Tmpfs, and no destination twice.
Status CheckMounts(const json& h) {
  std::set<std::string> dests;
  auto claim = [&](const std::string& d) -> Status {
    if (!dests.insert(fs::Clean(d)).second) return Error::Invalid("Duplicate mount point: " + d);
    return Ok();
  };
  for (const std::string& b : Strs(h, "Binds")) {
    spec::BindSpec bind = BERTH_TRY(spec::ParseBind(b));
    BERTH_TRY(claim(bind.destination));
  }
  if (Has(h, "Mounts") && h["Mounts"].is_array()) {
    for (const json& m : h["Mounts"]) {
      BERTH_TRY(spec::ValidateMount(m));
      BERTH_TRY(claim(Str(m, "Target")));
    }
  }
  if (Has(h, "Tmpfs") && h["Tmpfs"].is_object()) {
    for (const auto& [dest, opts] : h["Tmpfs"].items()) {
      BERTH_TRY(spec::ValidateMountDestination("tmpfs", dest));
      std::string data = opts.is_string() ? opts.get<std::string>() : "";
      BERTH_TRY(spec::MergeTmpfsOptions(str::Split(data, ',')));
      BERTH_TRY(claim(dest));
    }
  }
  return Ok();
}

Status CheckSysctls(const json& h) {
  if (!Has(h, "Sysctls") || !h["Sysctls"].is_object()) return Ok();
  bool host_net = Str(h, "NetworkMode") == "host";
  bool host_ipc = Str(h, "IpcMode") == "host";
  bool host_uts = Str(h, "UTSMode") == "host";
  for (const auto& [key, value] : h["Sysctls"].items()) {
    bool ipc = key == "kernel.msgmax" || key == "kernel.msgmnb" || key == "kernel.msgmni" ||
               key == "kernel.sem" || key == "kernel.shmall" || key == "kernel.shmmax" ||
               key == "kernel.shmmni" || key == "kernel.shm_rmid_forced" ||
               str::StartsWith(key, "fs.mqueue.");
    bool uts = key == "kernel.domainname" || key == "kernel.hostname";
    if (str::StartsWith(key, "net.")) {
      if (host_net)
        return Error::Invalid("sysctl " + Quote(key) +
                              " not allowed in host network namespace");
    } else if (ipc) {
      if (host_ipc)
        return Error::Invalid("sysctl " + Quote(key) + " is not allowed in the host's ipc namespace");
    } else if (uts) {
      if (host_uts)
        return Error::Invalid("sysctl " + Quote(key) + " is not allowed in the host's uts namespace");
    } else {
      return Error::Invalid("sysctl " + Quote(key) + " is not in a separate kernel namespace");
    }
    if (!value.is_string()) return Error::Invalid("sysctl " + Quote(key) + ": value must be a string");
  }
  return Ok();
}

Status CheckSecurity(json& h) {
  BERTH_TRY(spec::ParseSecurityOpts(Strs(h, "SecurityOpt")));
  BERTH_TRY(spec::NormalizeCapabilities(Strs(h, "CapAdd")));
  BERTH_TRY(spec::NormalizeCapabilities(Strs(h, "CapDrop")));
  bool privileged = Bool(h, "Privileged");
  if (!Has(h, "MaskedPaths") && !privileged) {
    h["MaskedPaths"] = spec::DefaultMaskedPaths();
  }
  if (!Has(h, "ReadonlyPaths") && !privileged) {
    h["ReadonlyPaths"] = spec::DefaultReadonlyPaths();
  }
  return Ok();
}

void FillDefaults(json& h) {
  Default(h, "LogConfig", json{{"Type", "json-file"}, {"Config", json::object()}});
  if (Str(h["LogConfig"], "Type").empty()) h["LogConfig"]["Type"] = "json-file";
  Default(h["LogConfig"], "Config", json::object());
  Default(h, "PortBindings", json::object());
  for (const char* k : {"Dns", "DnsOptions", "DnsSearch", "BlkioWeightDevice"})
    Default(h, k, json::array());
  Default(h, "ConsoleSize", json::array({0, 0}));
  Default(h, "Runtime", "runc");
  Default(h, "OomKillDisable", false);
  for (const char* k : {"Privileged", "AutoRemove", "PublishAllPorts", "ReadonlyRootfs"})
    Default(h, k, false);
  for (const char* k : {"CpuShares", "Memory", "NanoCpus", "BlkioWeight", "CpuPeriod", "CpuQuota",
                        "CpuRealtimePeriod", "CpuRealtimeRuntime", "KernelMemory",
                        "KernelMemoryTCP", "MemoryReservation", "MemorySwap", "CpuCount",
                        "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth", "OomScoreAdj"})
    Default(h, k, 0);
  for (const char* k : {"ContainerIDFile", "VolumeDriver", "Cgroup", "PidMode", "UTSMode",
                        "UsernsMode", "Isolation", "CgroupParent", "CpusetCpus", "CpusetMems"})
    Default(h, k, "");
  for (const char* k : {"Binds", "VolumesFrom", "CapAdd", "CapDrop", "ExtraHosts", "GroupAdd",
                        "Links", "SecurityOpt", "BlkioDeviceReadBps", "BlkioDeviceWriteBps",
                        "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "DeviceCgroupRules",
                        "DeviceRequests", "MemorySwappiness", "PidsLimit", "Ulimits"})
    if (!h.contains(k)) h[k] = nullptr;
}

}  // namespace

Result<nlohmann::json> NormalizeHostConfig(const nlohmann::json& host_config) {
  json h = host_config.is_object() ? host_config : json::object();
  BERTH_TRY(CheckRestartPolicy(h));
  BERTH_TRY(CheckMemory(h));
  BERTH_TRY(CheckCpu(h));
  BERTH_TRY(CheckModes(h));
  BERTH_TRY(CheckUlimits(h));
  BERTH_TRY(CheckDevices(h));
  BERTH_TRY(CheckMounts(h));
  BERTH_TRY(CheckSysctls(h));
  BERTH_TRY(CheckSecurity(h));
  FillDefaults(h);
  return h;
}

}  // namespace berth::engine

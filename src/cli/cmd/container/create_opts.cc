#include "cli/cmd/container/create_opts.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "base/strings.h"

namespace berth::cli {
namespace {

using Validator = std::function<Status(std::string&)>;

Validator Checked(Result<int64_t> (*parse)(std::string_view)) {
  return [parse](std::string& v) -> Status {
    auto r = parse(v);
    if (!r.ok()) return std::move(r).error();
    return Ok();
  };
}

// Go's map[string]string from "k=v" strings (ConvertKVStringsToMap); the
// JSON keys come out sorted as Go's encoder writes maps.
ojson KvMap(const std::vector<std::string>& kvs) {
  std::map<std::string, std::string> m;
  for (const auto& kv : kvs) {
    auto [k, v] = str::Cut(kv, '=');
    m[k] = v;
  }
  ojson j = ojson::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

ojson ListOrNull(const std::vector<std::string>& v) { return v.empty() ? ojson(nullptr) : ojson(v); }

// container.PidMode / UTSMode / UsernsMode / CgroupnsMode Valid().
bool ValidPidMode(const std::string& m) {
  auto parts = str::Split(m, ':');
  if (parts[0].empty() || parts[0] == "host") return parts.size() == 1 || parts[0] == "host";
  if (parts[0] == "container") return parts.size() == 2 && !parts[1].empty();
  return false;
}

bool IsUserDefinedNetwork(const std::string& n) {
  return !(n.empty() || n == "default" || n == "bridge" || n == "host" || n == "none" ||
           str::StartsWith(n, "container:"));
}

ojson EndpointSettings(const ContainerOptions& o) {
  ojson ep = ojson::object();
  if (!o.ip.empty() || !o.ip6.empty()) {
    ep["IPAMConfig"] = ojson::object();
    if (!o.ip.empty()) ep["IPAMConfig"]["IPv4Address"] = o.ip;
    if (!o.ip6.empty()) ep["IPAMConfig"]["IPv6Address"] = o.ip6;
  } else {
    ep["IPAMConfig"] = nullptr;
  }
  ep["Links"] = ListOrNull(o.links);
  ep["Aliases"] = ListOrNull(o.network_aliases);
  ep["NetworkID"] = "";
  ep["EndpointID"] = "";
  ep["Gateway"] = "";
  ep["IPAddress"] = "";
  ep["IPPrefixLen"] = 0;
  ep["IPv6Gateway"] = "";
  ep["GlobalIPv6Address"] = "";
  ep["GlobalIPv6PrefixLen"] = 0;
  ep["MacAddress"] = "";
  ep["DriverOpts"] = nullptr;
  return ep;
}

}  // namespace

void AddContainerFlags(FlagSet& f, ContainerOptions* o, const EnvLookup& env) {
  f.List(&o->attach, "attach", 'a', "Attach to STDIN, STDOUT or STDERR").validate = ValidateAttach;
  f.List(&o->devices, "device", 0, "Add a host device to the container");
  f.List(&o->env, "env", 'e', "Set environment variables").validate = [env](std::string& v) {
    return ValidateEnv(v, env);
  };
  f.List(&o->env_file, "env-file", 0, "Read in a file of environment variables");
  f.String(&o->entrypoint, "entrypoint", 0, "", "Overwrite the default ENTRYPOINT of the image");
  f.List(&o->group_add, "group-add", 0, "Add additional groups to join");
  f.String(&o->hostname, "hostname", 'h', "", "Container host name");
  f.Bool(&o->stdin_open, "interactive", 'i', false, "Keep STDIN open even if not attached");
  f.List(&o->labels, "label", 'l', "Set meta data on a container").validate = ValidateLabel;
  f.List(&o->label_file, "label-file", 0, "Read in a line delimited file of labels");
  f.Bool(&o->config_env, "config-env", 0, false,
         "Set environment variables from the discovery store's config/ keys at each start "
         "(label berth.config-env=true)");
  f.Bool(&o->read_only, "read-only", 0, false, "Mount the container's root filesystem as read only");
  f.String(&o->restart, "restart", 0, "no", "Restart policy to apply when a container exits");
  f.String(&o->stop_signal, "stop-signal", 0, "SIGTERM", "Signal to stop a container");
  f.Int(&o->stop_timeout, "stop-timeout", 0, 0, "Timeout (in seconds) to stop a container");
  Flag& sysctl = f.List(&o->sysctls, "sysctl", 0, "Sysctl options", "map");
  sysctl.validate = ValidateSysctl;
  sysctl.def = "map[]";
  f.Bool(&o->tty, "tty", 't', false, "Allocate a pseudo-TTY");
  Flag& ulimit = f.List(&o->ulimits, "ulimit", 0, "Ulimit options", "ulimit");
  ulimit.validate = [](std::string& v) -> Status {
    auto r = ParseUlimit(v);
    if (!r.ok()) return std::move(r).error();
    return Ok();
  };
  f.String(&o->user, "user", 'u', "", "Username or UID (format: <name|uid>[:<group|gid>])");
  f.String(&o->workdir, "workdir", 'w', "", "Working directory inside the container");
  f.Bool(&o->auto_remove, "rm", 0, false, "Automatically remove the container when it exits");

  f.List(&o->cap_add, "cap-add", 0, "Add Linux capabilities");
  f.List(&o->cap_drop, "cap-drop", 0, "Drop Linux capabilities");
  f.Bool(&o->privileged, "privileged", 0, false, "Give extended privileges to this container");
  f.List(&o->security_opt, "security-opt", 0, "Security Options");
  f.String(&o->userns, "userns", 0, "", "User namespace to use");

  f.List(&o->extra_hosts, "add-host", 0, "Add a custom host-to-IP mapping (host:ip)").validate =
      ValidateExtraHost;
  f.List(&o->dns, "dns", 0, "Set custom DNS servers").validate = ValidateIpAddress;
  f.List(&o->dns_options, "dns-opt", 0, "Set DNS options").hidden = true;
  f.List(&o->dns_options, "dns-option", 0, "Set DNS options");
  f.List(&o->dns_search, "dns-search", 0, "Set custom DNS search domains").validate = ValidateDnsSearch;
  f.List(&o->expose, "expose", 0, "Expose a port or a range of ports");
  f.String(&o->ip, "ip", 0, "", "IPv4 address (e.g., 172.30.100.104)");
  f.String(&o->ip6, "ip6", 0, "", "IPv6 address (e.g., 2001:db8::33)");
  f.List(&o->network_aliases, "network-alias", 0, "Add network-scoped alias for the container");
  f.List(&o->network_aliases, "net-alias", 0, "Add network-scoped alias for the container").hidden =
      true;
  f.List(&o->links, "link", 0, "Add link to another container").validate = ValidateLink;
  f.String(&o->mac_address, "mac-address", 0, "", "Container MAC address (e.g., 92:d0:c6:0a:29:33)");
  f.List(&o->publish, "publish", 'p', "Publish a container's port(s) to the host");
  f.Bool(&o->publish_all, "publish-all", 'P', false, "Publish all exposed ports to random ports");
  f.List(&o->networks, "net", 0, "Connect a container to a network", "network").hidden = true;
  f.List(&o->networks, "network", 0, "Connect a container to a network", "network");

  f.String(&o->log_driver, "log-driver", 0, "", "Logging driver for the container");
  f.List(&o->log_opts, "log-opt", 0, "Log driver options");
  f.List(&o->tmpfs, "tmpfs", 0, "Mount a tmpfs directory");
  f.List(&o->volumes_from, "volumes-from", 0, "Mount volumes from the specified container(s)");
  f.List(&o->volumes, "volume", 'v', "Bind mount a volume");
  f.List(&o->mounts, "mount", 0, "Attach a filesystem mount to the container", "mount").validate =
      [](std::string& v) -> Status {
    auto r = ParseMount(v);
    if (!r.ok()) return std::move(r).error();
    return Ok();
  };

  f.String(&o->health_cmd, "health-cmd", 0, "", "Command to run to check health");
  Flag& hi = f.String(&o->health_interval, "health-interval", 0, "",
                      "Time between running the check (ms|s|m|h) (default 0s)");
  Flag& ht = f.String(&o->health_timeout, "health-timeout", 0, "",
                      "Maximum time to allow one check to run (ms|s|m|h) (default 0s)");
  Flag& hs = f.String(&o->health_start_period, "health-start-period", 0, "",
                      "Start period for the container to initialize before starting "
                      "health-retries countdown (ms|s|m|h) (default 0s)");
  for (Flag* d : {&hi, &ht, &hs}) {
    d->type_name = "duration";
    d->validate = Checked(GoDuration);
  }
  f.Int(&o->health_retries, "health-retries", 0, 0, "Consecutive failures needed to report unhealthy");
  f.Bool(&o->no_healthcheck, "no-healthcheck", 0, false, "Disable any container-specified HEALTHCHECK");

  f.String(&o->cidfile, "cidfile", 0, "", "Write the container ID to the file");
  f.String(&o->cpuset_cpus, "cpuset-cpus", 0, "", "CPUs in which to allow execution (0-3, 0,1)");
  f.String(&o->cpuset_mems, "cpuset-mems", 0, "", "MEMs in which to allow execution (0-3, 0,1)");
  f.Int(&o->cpu_period, "cpu-period", 0, 0, "Limit CPU CFS (Completely Fair Scheduler) period");
  f.Int(&o->cpu_quota, "cpu-quota", 0, 0, "Limit CPU CFS (Completely Fair Scheduler) quota");
  f.Int(&o->cpu_shares, "cpu-shares", 'c', 0, "CPU shares (relative weight)");
  Flag& cpus = f.String(&o->cpus, "cpus", 0, "", "Number of CPUs");
  cpus.type_name = "decimal";
  cpus.validate = Checked(NanoCpus);
  Flag& mem = f.String(&o->memory, "memory", 'm', "", "Memory limit");
  Flag& memr = f.String(&o->memory_reservation, "memory-reservation", 0, "", "Memory soft limit");
  Flag& shm = f.String(&o->shm_size, "shm-size", 0, "", "Size of /dev/shm");
  for (Flag* s : {&mem, &memr, &shm}) {
    s->type_name = "bytes";
    s->validate = Checked(RamInBytes);
  }
  Flag& swap = f.String(&o->memory_swap, "memory-swap", 0, "",
                        "Swap limit equal to memory plus swap: '-1' to enable unlimited swap");
  swap.type_name = "bytes";
  swap.validate = Checked(MemSwapBytes);
  f.Bool(&o->oom_kill_disable, "oom-kill-disable", 0, false, "Disable OOM Killer");
  f.Int(&o->oom_score_adj, "oom-score-adj", 0, 0, "Tune host's OOM preferences (-1000 to 1000)");
  f.Int(&o->pids_limit, "pids-limit", 0, 0, "Tune container pids limit (set -1 for unlimited)");

  f.String(&o->ipc, "ipc", 0, "", "IPC mode to use");
  f.String(&o->isolation, "isolation", 0, "", "Container isolation technology");
  f.String(&o->pid, "pid", 0, "", "PID namespace to use");
  f.String(&o->uts, "uts", 0, "", "UTS namespace to use");
  f.Bool(&o->init, "init", 0, false,
         "Run an init inside the container that forwards signals and reaps processes");

  f.String(&o->name, "name", 0, "", "Assign a name to the container");
  f.String(&o->platform, "platform", 0, "", "Set platform if server is multi-platform capable");
  f.String(&o->pull, "pull", 0, "missing",
           "Pull image before running (\"always\"|\"missing\"|\"never\")");
}

Result<CreateConfig> ParseContainerOptions(const FlagSet& flags, const ContainerOptions& o,
                                           const EnvLookup& env) {
  CreateConfig cc;
  std::set<std::string> attach(o.attach.begin(), o.attach.end());
  cc.attach_stdin = attach.count("stdin") > 0;
  cc.attach_stdout = attach.count("stdout") > 0;
  cc.attach_stderr = attach.count("stderr") > 0;
  if (!o.mac_address.empty() && !ValidMacAddress(o.mac_address))
    return Error::Invalid(fmt::format("{} is not a valid mac address", o.mac_address));
  if (o.stdin_open) cc.attach_stdin = true;
  if (o.attach.empty()) cc.attach_stdout = cc.attach_stderr = true;

  // -v: binds (with a source) and anonymous volumes.
  std::vector<std::string> binds;
  std::map<std::string, bool> volumes;
  for (const auto& v : o.volumes) {
    if (VolumeHasSource(v)) binds.push_back(v);
    else volumes[v] = true;
  }
  std::map<std::string, std::string> tmpfs;
  for (const auto& t : o.tmpfs) {
    auto [path, opts] = str::Cut(t, ':');
    tmpfs[path] = opts;
  }

  // -p / --expose.
  std::map<std::string, bool> exposed;
  std::map<std::string, ojson> bindings;
  for (const auto& p : o.publish) {
    std::string spec = BERTH_TRY(StandardPortNotation(p));
    auto maps = BERTH_TRY(ParsePortSpec(spec));
    for (const auto& m : maps) {
      exposed[m.port] = true;
      auto& list = bindings[m.port];
      if (list.is_null()) list = ojson::array();
      list.push_back(ojson{{"HostIp", m.host_ip}, {"HostPort", m.host_port}});
    }
  }
  for (const auto& e : o.expose)
    for (const auto& port : BERTH_TRY(ParseExpose(e))) exposed[port] = true;

  ojson devices = ojson::array();
  for (const auto& d : o.devices) devices.push_back(BERTH_TRY(ParseDevice(d)));

  std::vector<std::string> env_vars;
  for (const auto& file : o.env_file)
    for (auto& line : BERTH_TRY(ReadKvFile(file, env))) env_vars.push_back(std::move(line));
  env_vars.insert(env_vars.end(), o.env.begin(), o.env.end());
  std::vector<std::string> labels;
  // opts.ReadKVStrings: a label file's line without "=" is dropped, never
  // looked up in the environment (only env files do that).
  const EnvLookup no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  for (const auto& file : o.label_file)
    for (auto& line : BERTH_TRY(ReadKvFile(file, no_env))) labels.push_back(std::move(line));
  labels.insert(labels.end(), o.labels.begin(), o.labels.end());
  if (o.config_env) labels.push_back("berth.config-env=true");

  if (!ValidPidMode(o.pid)) return Error::Invalid("--pid: invalid PID mode");
  if (!o.uts.empty() && o.uts != "host") return Error::Invalid("--uts: invalid UTS mode");
  if (!o.userns.empty() && o.userns != "host") return Error::Invalid("--userns: invalid USER mode");
  ojson restart = BERTH_TRY(ParseRestartPolicy(o.restart));
  if (o.log_driver == "none" && !o.log_opts.empty())
    return Error::Invalid(fmt::format("invalid logging opts for driver {}", o.log_driver));
  bool unconfined_paths = false;
  auto security = BERTH_TRY(ParseSecurityOpts(o.security_opt, &unconfined_paths));

  // Healthcheck.
  ojson health;
  int64_t interval = o.health_interval.empty() ? 0 : *GoDuration(o.health_interval);
  int64_t timeout = o.health_timeout.empty() ? 0 : *GoDuration(o.health_timeout);
  int64_t start_period = o.health_start_period.empty() ? 0 : *GoDuration(o.health_start_period);
  bool have_health = !o.health_cmd.empty() || interval != 0 || timeout != 0 || start_period != 0 ||
                     o.health_retries != 0;
  if (o.no_healthcheck) {
    if (have_health) return Error::Invalid("--no-healthcheck conflicts with --health-* options");
    health = ojson::object();
    health["Test"] = ojson::array({"NONE"});
  } else if (have_health) {
    if (interval < 0) return Error::Invalid("--health-interval cannot be negative");
    if (timeout < 0) return Error::Invalid("--health-timeout cannot be negative");
    if (o.health_retries < 0) return Error::Invalid("--health-retries cannot be negative");
    if (start_period < 0) return Error::Invalid("--health-start-period cannot be negative");
    health = ojson::object();
    health["Test"] = o.health_cmd.empty() ? ojson(nullptr) : ojson::array({"CMD-SHELL", o.health_cmd});
    if (interval) health["Interval"] = interval;
    if (timeout) health["Timeout"] = timeout;
    if (start_period) health["StartPeriod"] = start_period;
    if (o.health_retries) health["Retries"] = o.health_retries;
  }

  std::string restart_name = restart["Name"].get<std::string>();
  if (o.auto_remove && !(restart_name.empty() || restart_name == "no"))
    return Error::Invalid("Conflicting options: --restart and --rm");

  // Networks: the first one is the mode; endpoints only when they carry
  // something (or there are several).
  if (!o.network_aliases.empty() &&
      (o.networks.empty() || !IsUserDefinedNetwork(o.networks.front())))
    return Error::Invalid("network-scoped aliases are only supported for user-defined networks");
  ojson endpoints = ojson::object();
  bool user_defined = false, non_user_defined = false;
  for (size_t i = 0; i < o.networks.size(); ++i) {
    const std::string& n = o.networks[i];
    if (str::Trim(n).empty()) return Error::Invalid("no name set for network");
    (IsUserDefinedNetwork(n) ? user_defined : non_user_defined) = true;
    if (endpoints.contains(n))
      return Error::Invalid(fmt::format("network \"{}\" is specified multiple times", n));
    bool first = i == 0;
    bool has_settings =
        first && (!o.ip.empty() || !o.ip6.empty() ||
                  (IsUserDefinedNetwork(n) && (!o.links.empty() || !o.network_aliases.empty())));
    if (first && o.networks.size() == 1 && !has_settings) continue;
    ojson ep = EndpointSettings(o);
    if (!first) {
      ep["IPAMConfig"] = nullptr;
      ep["Links"] = nullptr;
      ep["Aliases"] = nullptr;
    } else if (!IsUserDefinedNetwork(n)) {
      ep["Links"] = nullptr;
    }
    endpoints[n] = ep;
  }
  if (user_defined && non_user_defined)
    return Error::Invalid(
        "conflicting options: cannot attach both user-defined and non-user-defined network-modes");

  cc.tty = o.tty;
  cc.open_stdin = o.stdin_open;

  ojson& b = cc.body;
  b = ojson::object();
  b["Hostname"] = o.hostname;
  b["Domainname"] = "";
  b["User"] = o.user;
  b["AttachStdin"] = cc.attach_stdin;
  b["AttachStdout"] = cc.attach_stdout;
  b["AttachStderr"] = cc.attach_stderr;
  if (!exposed.empty()) {
    ojson ports = ojson::object();
    for (const auto& [p, _] : exposed) ports[p] = ojson::object();
    b["ExposedPorts"] = ports;
  }
  b["Tty"] = o.tty;
  b["OpenStdin"] = o.stdin_open;
  b["StdinOnce"] = o.stdin_open && cc.attach_stdin;
  b["Env"] = ListOrNull(env_vars);
  b["Cmd"] = ListOrNull(o.args);
  if (!health.is_null()) b["Healthcheck"] = health;
  b["Image"] = o.image;
  ojson vols = ojson::object();
  for (const auto& [v, _] : volumes) vols[v] = ojson::object();
  b["Volumes"] = vols;
  b["WorkingDir"] = o.workdir;
  if (!o.entrypoint.empty()) b["Entrypoint"] = ojson::array({o.entrypoint});
  else if (flags.Changed("entrypoint")) b["Entrypoint"] = ojson::array({""});
  else b["Entrypoint"] = nullptr;
  if (!o.mac_address.empty()) b["MacAddress"] = o.mac_address;
  b["OnBuild"] = nullptr;
  b["Labels"] = KvMap(labels);
  if (flags.Changed("stop-signal")) b["StopSignal"] = o.stop_signal;
  if (flags.Changed("stop-timeout")) b["StopTimeout"] = o.stop_timeout;

  ojson h = ojson::object();
  h["Binds"] = ListOrNull(binds);
  h["ContainerIDFile"] = o.cidfile;
  h["LogConfig"] = ojson{{"Type", o.log_driver}, {"Config", KvMap(o.log_opts)}};
  h["NetworkMode"] = o.networks.empty() ? std::string("default") : o.networks.front();
  ojson pb = ojson::object();
  for (const auto& [p, list] : bindings) pb[p] = list;
  h["PortBindings"] = pb;
  h["RestartPolicy"] = restart;
  h["AutoRemove"] = o.auto_remove;
  h["VolumeDriver"] = "";
  h["VolumesFrom"] = ListOrNull(o.volumes_from);
  h["CapAdd"] = ListOrNull(o.cap_add);
  h["CapDrop"] = ListOrNull(o.cap_drop);
  h["CgroupnsMode"] = "";
  h["Dns"] = o.dns;
  h["DnsOptions"] = o.dns_options;
  h["DnsSearch"] = o.dns_search;
  h["ExtraHosts"] = ListOrNull(o.extra_hosts);
  h["GroupAdd"] = ListOrNull(o.group_add);
  h["IpcMode"] = o.ipc;
  h["Cgroup"] = "";
  h["Links"] = ListOrNull(o.links);
  h["OomScoreAdj"] = o.oom_score_adj;
  h["PidMode"] = o.pid;
  h["Privileged"] = o.privileged;
  h["PublishAllPorts"] = o.publish_all;
  h["ReadonlyRootfs"] = o.read_only;
  h["SecurityOpt"] = ListOrNull(security);
  if (!tmpfs.empty()) {
    ojson t = ojson::object();
    for (const auto& [k, v] : tmpfs) t[k] = v;
    h["Tmpfs"] = t;
  }
  h["UTSMode"] = o.uts;
  h["UsernsMode"] = o.userns;
  h["ShmSize"] = o.shm_size.empty() ? 0 : *RamInBytes(o.shm_size);
  if (!o.sysctls.empty()) h["Sysctls"] = KvMap(o.sysctls);
  // The terminal's size at create, so the process starts with it (docker
  // 23+ sends it too; a resize after start would race with the program).
  h["ConsoleSize"] = ojson::array({0, 0});
  if (o.tty) {
    struct winsize ws {};
    if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
      h["ConsoleSize"] = ojson::array({ws.ws_row, ws.ws_col});
  }
  h["Isolation"] = o.isolation;
  // Resources.
  h["CpuShares"] = o.cpu_shares;
  h["Memory"] = o.memory.empty() ? 0 : *RamInBytes(o.memory);
  h["NanoCpus"] = o.cpus.empty() ? 0 : *NanoCpus(o.cpus);
  h["CgroupParent"] = "";
  h["BlkioWeight"] = 0;
  h["BlkioWeightDevice"] = ojson::array();
  h["BlkioDeviceReadBps"] = nullptr;
  h["BlkioDeviceWriteBps"] = nullptr;
  h["BlkioDeviceReadIOps"] = nullptr;
  h["BlkioDeviceWriteIOps"] = nullptr;
  h["CpuPeriod"] = o.cpu_period;
  h["CpuQuota"] = o.cpu_quota;
  h["CpuRealtimePeriod"] = 0;
  h["CpuRealtimeRuntime"] = 0;
  h["CpusetCpus"] = o.cpuset_cpus;
  h["CpusetMems"] = o.cpuset_mems;
  h["Devices"] = devices;
  h["DeviceCgroupRules"] = nullptr;
  h["DeviceRequests"] = nullptr;
  h["KernelMemory"] = 0;
  h["KernelMemoryTCP"] = 0;
  h["MemoryReservation"] = o.memory_reservation.empty() ? 0 : *RamInBytes(o.memory_reservation);
  h["MemorySwap"] = o.memory_swap.empty() ? 0 : *MemSwapBytes(o.memory_swap);
  h["MemorySwappiness"] = -1;
  h["OomKillDisable"] = o.oom_kill_disable;
  h["PidsLimit"] = o.pids_limit;
  ojson ulimits = ojson::array();
  for (const auto& u : o.ulimits) {
    ojson parsed = *ParseUlimit(u);
    // A later --ulimit of the same name replaces the earlier one.
    bool replaced = false;
    for (auto& e : ulimits)
      if (e["Name"] == parsed["Name"]) {
        e = parsed;
        replaced = true;
      }
    if (!replaced) ulimits.push_back(parsed);
  }
  h["Ulimits"] = ulimits.empty() ? ojson(nullptr) : ulimits;
  h["CpuCount"] = 0;
  h["CpuPercent"] = 0;
  h["IOMaximumIOps"] = 0;
  h["IOMaximumBandwidth"] = 0;
  if (!o.mounts.empty()) {
    ojson mounts = ojson::array();
    for (const auto& m : o.mounts) mounts.push_back(*ParseMount(m));
    h["Mounts"] = mounts;
  }
  if (unconfined_paths) {
    h["MaskedPaths"] = ojson::array();
    h["ReadonlyPaths"] = ojson::array();
  } else {
    h["MaskedPaths"] = nullptr;
    h["ReadonlyPaths"] = nullptr;
  }
  if (flags.Changed("init")) h["Init"] = o.init;
  b["HostConfig"] = h;
  b["NetworkingConfig"] = ojson{{"EndpointsConfig", endpoints}};
  return cc;
}

}  // namespace berth::cli

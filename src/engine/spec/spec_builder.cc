// BuildSpec: Docker's Config + HostConfig → an OCI spec, as a list of
// phases (process, user, capabilities, mounts, namespaces, devices and
// resources, seccomp, paths).
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/strings.h"
#include "engine/spec/internal.h"
#include "runtime/seccomp/docker_profile.h"

namespace berth::engine {

using spec::Bool;
using spec::Has;
using spec::Int;
using spec::json;
using spec::Str;
using spec::Strs;

namespace {

constexpr const char* kDefaultPath =
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

std::string Hostname(const SpecInput& in) {
  std::string h = Str(in.config, "Hostname");
  if (!h.empty()) return h;
  if (in.netns == "host") {
    char buf[256] = "";
    if (gethostname(buf, sizeof buf - 1) == 0 && buf[0]) return buf;
  }
  return in.id.substr(0, 12);
}

// PATH, HOSTNAME and TERM first, replaced by the config's own values.
std::vector<std::string> Environment(const json& config, const std::string& hostname) {
  std::vector<std::string> env = {kDefaultPath, "HOSTNAME=" + hostname};
  if (Bool(config, "Tty")) env.push_back("TERM=xterm");
  for (const std::string& kv : Strs(config, "Env")) {
    bool has_eq = false;
    std::string key = str::Cut(kv, '=', &has_eq).first;
    if (!has_eq) {
      // docker's ReplaceOrAppendEnvValues: "KEY" alone (run -e KEY with KEY
      // unset in the client's environment) unsets KEY, never passes "KEY".
      std::erase_if(env, [&](const std::string& e) { return str::Cut(e, '=').first == key; });
      continue;
    }
    bool replaced = false;
    for (std::string& e : env) {
      if (str::Cut(e, '=').first == key) {
        e = kv;
        replaced = true;
        break;
      }
    }
    if (!replaced) env.push_back(kv);
  }
  return env;
}

bool HasEnv(const std::vector<std::string>& env, std::string_view key) {
  for (const std::string& e : env)
    if (str::Cut(e, '=').first == key) return true;
  return false;
}

Status BuildProcess(const SpecInput& in, const std::string& hostname,
                    const std::vector<std::string>& caps, const spec::SecurityOptions& sec,
                    oci::Process& p) {
  const json& c = in.config;
  const json& h = in.host_config;
  p.args = Strs(c, "Entrypoint");
  for (const std::string& a : Strs(c, "Cmd")) p.args.push_back(a);
  if (p.args.empty()) return Error::Invalid("No command specified");
  if (Bool(h, "Init")) p.args.insert(p.args.begin(), {"/sbin/docker-init", "--"});
  p.terminal = Bool(c, "Tty");
  if (p.terminal && Has(h, "ConsoleSize") && h["ConsoleSize"].is_array() &&
      h["ConsoleSize"].size() == 2 && h["ConsoleSize"][0].is_number() &&
      h["ConsoleSize"][1].is_number()) {
    uint32_t rows = h["ConsoleSize"][0].get<uint32_t>(), cols = h["ConsoleSize"][1].get<uint32_t>();
    if (rows && cols) p.console_size = oci::ConsoleSize{rows, cols};
  }
  p.cwd = Str(c, "WorkingDir");
  if (p.cwd.empty()) p.cwd = "/";
  if (p.cwd[0] != '/')
    return Error::Invalid("the working directory '" + p.cwd + "' is invalid, it needs to be an absolute path");

  auto passwd = BERTH_TRY_CTX(spec::ReadInRoot(in.rootfs, "/etc/passwd"), "read passwd");
  auto group = BERTH_TRY_CTX(spec::ReadInRoot(in.rootfs, "/etc/group"), "read group");
  spec::ExecUser u =
      BERTH_TRY(spec::ResolveUser(Str(c, "User"), Strs(h, "GroupAdd"), passwd, group));
  p.user.uid = u.uid;
  p.user.gid = u.gid;
  p.user.additional_gids = u.additional_gids;

  p.env = Environment(c, hostname);
  if (!HasEnv(p.env, "HOME")) p.env.push_back("HOME=" + u.home);

  oci::Capabilities cs;
  cs.bounding = cs.effective = cs.permitted = caps;
  p.capabilities = cs;
  if (Has(h, "Ulimits") && h["Ulimits"].is_array()) {
    for (const json& ul : h["Ulimits"]) {
      std::string name = Str(ul, "Name");
      if (!spec::KnownUlimit(name)) return Error::Invalid("invalid ulimit type: " + name);
      std::string type = "RLIMIT_" + name;
      for (char& ch : type) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      p.rlimits.push_back({type, static_cast<uint64_t>(Int(ul, "Hard")),
                           static_cast<uint64_t>(Int(ul, "Soft"))});
    }
  }
  p.no_new_privileges = sec.no_new_privileges;
  if (!Bool(h, "Privileged") && !sec.apparmor_profile.empty() &&
      sec.apparmor_profile != "unconfined")
    p.apparmor_profile = sec.apparmor_profile;
  int64_t oom = Int(h, "OomScoreAdj");
  // Only when asked: writing 0 fails where berthd's own score is higher and
  // this host denies lowering it.
  if (oom != 0) p.oom_score_adj = static_cast<int>(oom);
  return Ok();
}

void BuildNamespaces(const SpecInput& in, oci::Linux& l) {
  const json& h = in.host_config;
  auto add = [&](const char* type, const std::string& path) { l.namespaces.push_back({type, path}); };
  std::string pid = Str(h, "PidMode");
  if (pid != "host") add("pid", in.pid_ns_path);
  if (in.netns != "host") add("network", in.netns);
  std::string ipc = Str(h, "IpcMode");
  if (ipc != "host") add("ipc", in.ipc_ns_path);
  if (Str(h, "UTSMode") != "host") add("uts", "");
  add("mount", "");
  if (Str(h, "CgroupnsMode") == "private") add("cgroup", "");
}

Result<int64_t> DeviceNumber(const std::string& path, int64_t* minor_out) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return Error::Sys("stat " + path);
  *minor_out = minor(st.st_rdev);
  return static_cast<int64_t>(major(st.st_rdev));
}

Status BlkioDevices(const json& h, const char* key, std::vector<oci::ThrottleDevice>* out) {
  if (!Has(h, key) || !h[key].is_array()) return Ok();
  for (const json& d : h[key]) {
    oci::ThrottleDevice t;
    t.major = BERTH_TRY_CTX(DeviceNumber(Str(d, "Path"), &t.minor), key);
    t.rate = static_cast<uint64_t>(Int(d, "Rate"));
    out->push_back(t);
  }
  return Ok();
}

Result<oci::Resources> BuildResources(const json& h, std::vector<oci::DeviceCgroup> devices) {
  oci::Resources r;
  r.devices = std::move(devices);
  oci::MemoryResources mem;
  if (int64_t v = Int(h, "Memory"); v > 0) mem.limit = v;
  if (int64_t v = Int(h, "MemoryReservation"); v > 0) mem.reservation = v;
  if (int64_t v = Int(h, "MemorySwap"); v > 0 || v == -1) mem.swap = v;
  if (Has(h, "MemorySwappiness") && Int(h, "MemorySwappiness") >= 0)
    mem.swappiness = static_cast<uint64_t>(Int(h, "MemorySwappiness"));
  if (Bool(h, "OomKillDisable")) mem.disable_oom_killer = true;
  if (mem.limit || mem.reservation || mem.swap || mem.swappiness || mem.disable_oom_killer)
    r.memory = mem;

  oci::CpuResources cpu;
  if (int64_t v = Int(h, "CpuShares"); v > 0) cpu.shares = static_cast<uint64_t>(v);
  if (int64_t nano = Int(h, "NanoCpus"); nano > 0) {
    cpu.period = 100000;
    cpu.quota = nano * 100000 / 1000000000;
  }
  if (int64_t v = Int(h, "CpuPeriod"); v != 0) cpu.period = static_cast<uint64_t>(v);
  if (int64_t v = Int(h, "CpuQuota"); v != 0) cpu.quota = v;
  if (int64_t v = Int(h, "CpuRealtimePeriod"); v != 0) cpu.realtime_period = static_cast<uint64_t>(v);
  if (int64_t v = Int(h, "CpuRealtimeRuntime"); v != 0) cpu.realtime_runtime = v;
  cpu.cpus = Str(h, "CpusetCpus");
  cpu.mems = Str(h, "CpusetMems");
  if (cpu.shares || cpu.period || cpu.quota || cpu.realtime_period || cpu.realtime_runtime ||
      !cpu.cpus.empty() || !cpu.mems.empty())
    r.cpu = cpu;

  if (int64_t v = Int(h, "PidsLimit"); v > 0) r.pids = oci::PidsResources{v};

  oci::BlockIoResources blkio;
  if (int64_t v = Int(h, "BlkioWeight"); v > 0) blkio.weight = static_cast<uint16_t>(v);
  if (Has(h, "BlkioWeightDevice") && h["BlkioWeightDevice"].is_array()) {
    for (const json& d : h["BlkioWeightDevice"]) {
      oci::WeightDevice w;
      w.major = BERTH_TRY_CTX(DeviceNumber(Str(d, "Path"), &w.minor), "BlkioWeightDevice");
      w.weight = static_cast<uint16_t>(Int(d, "Weight"));
      blkio.weight_device.push_back(w);
    }
  }
  BERTH_TRY(BlkioDevices(h, "BlkioDeviceReadBps", &blkio.throttle_read_bps_device));
  BERTH_TRY(BlkioDevices(h, "BlkioDeviceWriteBps", &blkio.throttle_write_bps_device));
  BERTH_TRY(BlkioDevices(h, "BlkioDeviceReadIOps", &blkio.throttle_read_iops_device));
  BERTH_TRY(BlkioDevices(h, "BlkioDeviceWriteIOps", &blkio.throttle_write_iops_device));
  if (blkio.weight || !blkio.weight_device.empty() || !blkio.throttle_read_bps_device.empty() ||
      !blkio.throttle_write_bps_device.empty() || !blkio.throttle_read_iops_device.empty() ||
      !blkio.throttle_write_iops_device.empty())
    r.block_io = blkio;
  return r;
}

Status BuildDevices(const json& h, oci::Linux& l, std::vector<oci::DeviceCgroup>* rules) {
  *rules = spec::DefaultDeviceRules();
  if (Bool(h, "Privileged")) {
    l.devices = BERTH_TRY(spec::HostDevices());
    rules->clear();
    oci::DeviceCgroup all;
    all.allow = true;
    all.access = "rwm";
    rules->push_back(all);
    return Ok();
  }
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
      }
      BERTH_TRY(spec::AddDevice(m, &l.devices, rules));
    }
  }
  for (const std::string& rule : Strs(h, "DeviceCgroupRules"))
    rules->push_back(BERTH_TRY(spec::ParseDeviceCgroupRule(rule)));
  return Ok();
}

Status BuildSeccomp(const json& h, const spec::SecurityOptions& sec,
                    const std::vector<std::string>& caps, oci::Linux& l) {
  if (Bool(h, "Privileged") || sec.seccomp_unconfined) return Ok();
  std::string_view profile =
      sec.seccomp_profile.empty() ? seccomp::DefaultDockerProfile() : sec.seccomp_profile;
  l.seccomp = BERTH_TRY_CTX(seccomp::FromDockerProfile(profile, caps, spec::GoArch()),
                            "seccomp profile");
  return Ok();
}

std::string RootfsPropagation(const std::vector<oci::Mount>& mounts) {
  std::string out;
  for (const oci::Mount& m : mounts) {
    for (const std::string& o : m.options) {
      if (o == "shared" || o == "rshared") return "rshared";
      if (o == "slave" || o == "rslave") out = "rslave";
    }
  }
  return out;
}

}  // namespace

Result<oci::Spec> BuildSpec(const SpecInput& in) {
  const json& h = in.host_config;
  if (in.id.size() < 12) return Error::Invalid("container id \"" + in.id + "\" is too short");
  bool privileged = Bool(h, "Privileged");
  spec::SecurityOptions sec = BERTH_TRY(spec::ParseSecurityOpts(Strs(h, "SecurityOpt")));
  std::vector<std::string> caps =
      BERTH_TRY(spec::ContainerCapabilities(Strs(h, "CapAdd"), Strs(h, "CapDrop"), privileged));

  oci::Spec s;
  s.has_process = true;
  s.root = {in.rootfs, Bool(h, "ReadonlyRootfs")};
  std::string hostname = Hostname(in);
  if (Str(h, "UTSMode") != "host") {
    s.hostname = hostname;
    s.domainname = Str(in.config, "Domainname");
  }
  BERTH_TRY(BuildProcess(in, hostname, caps, sec, s.process));
  s.mounts = BERTH_TRY(spec::BuildMounts(in, h));

  oci::Linux& l = s.linux;
  BuildNamespaces(in, l);
  std::string parent = Str(h, "CgroupParent");
  if (parent.empty()) parent = in.cgroup_parent;
  if (!parent.empty() && parent[0] != '/') parent = "/" + parent;
  l.cgroups_path = (parent == "/" ? "" : parent) + "/" + in.id;
  std::vector<oci::DeviceCgroup> rules;
  BERTH_TRY(BuildDevices(h, l, &rules));
  l.resources = BERTH_TRY(BuildResources(h, std::move(rules)));
  BERTH_TRY(BuildSeccomp(h, sec, caps, l));
  if (!privileged) {
    l.masked_paths = Has(h, "MaskedPaths") ? Strs(h, "MaskedPaths") : spec::DefaultMaskedPaths();
    l.readonly_paths =
        Has(h, "ReadonlyPaths") ? Strs(h, "ReadonlyPaths") : spec::DefaultReadonlyPaths();
  }
  if (Has(h, "Sysctls") && h["Sysctls"].is_object())
    for (const auto& [k, v] : h["Sysctls"].items())
      if (v.is_string()) l.sysctl[k] = v.get<std::string>();
  l.rootfs_propagation = RootfsPropagation(s.mounts);
  if (Has(h, "Annotations") && h["Annotations"].is_object())
    for (const auto& [k, v] : h["Annotations"].items())
      if (v.is_string()) s.annotations[k] = v.get<std::string>();
  return s;
}

}  // namespace berth::engine

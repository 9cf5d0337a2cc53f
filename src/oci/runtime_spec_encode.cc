// Encoding of the spec types as JSON, members in the order runc prints them.
// Absent optionals and empty strings, lists and maps are left out, except
// where the spec requires the member (user.uid, process.cwd, device allow...).
#include "oci/runtime_spec_codec.h"

namespace berth::oci {

using nlohmann::ordered_json;

namespace {

template <typename T>
ordered_json Encode(const T& value) {
  return ordered_json(value);
}

// Sets o[key] = Encode(value) unless value is empty (string, list, map) or
// absent (optional).
template <typename T>
void Put(ordered_json& o, const char* key, const std::vector<T>& v);
template <typename T>
void Put(ordered_json& o, const char* key, const std::optional<T>& v);

void Put(ordered_json& o, const char* key, const std::string& v) {
  if (!v.empty()) o[key] = v;
}

void Put(ordered_json& o, const char* key, const std::map<std::string, std::string>& v) {
  if (!v.empty()) o[key] = v;
}

void PutTrue(ordered_json& o, const char* key, bool v) {
  if (v) o[key] = true;
}

}  // namespace

// Struct encoders live in berth::oci (not the anonymous namespace) so that the
// generic Put templates find them by argument-dependent lookup.
static ordered_json Encode(const ConsoleSize& c) {
  return {{"height", c.height}, {"width", c.width}};
}

static ordered_json Encode(const User& u) {
  ordered_json o = {{"uid", u.uid}, {"gid", u.gid}};
  Put(o, "umask", u.umask);
  Put(o, "additionalGids", u.additional_gids);
  Put(o, "username", u.username);
  return o;
}

static ordered_json Encode(const Capabilities& c) {
  ordered_json o = ordered_json::object();
  Put(o, "bounding", c.bounding);
  Put(o, "effective", c.effective);
  Put(o, "inheritable", c.inheritable);
  Put(o, "permitted", c.permitted);
  Put(o, "ambient", c.ambient);
  return o;
}

static ordered_json Encode(const Rlimit& r) {
  return {{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}};
}

static ordered_json EncodeProcess(const Process& p) {
  ordered_json o = ordered_json::object();
  PutTrue(o, "terminal", p.terminal);
  Put(o, "consoleSize", p.console_size);
  o["user"] = Encode(p.user);
  Put(o, "args", p.args);
  Put(o, "env", p.env);
  o["cwd"] = p.cwd;
  Put(o, "capabilities", p.capabilities);
  Put(o, "rlimits", p.rlimits);
  PutTrue(o, "noNewPrivileges", p.no_new_privileges);
  Put(o, "apparmorProfile", p.apparmor_profile);
  Put(o, "oomScoreAdj", p.oom_score_adj);
  Put(o, "selinuxLabel", p.selinux_label);
  return o;
}

static ordered_json Encode(const Mount& m) {
  ordered_json o = {{"destination", m.destination}};
  Put(o, "type", m.type);
  Put(o, "source", m.source);
  Put(o, "options", m.options);
  return o;
}

static ordered_json Encode(const Hook& h) {
  ordered_json o = {{"path", h.path}};
  Put(o, "args", h.args);
  Put(o, "env", h.env);
  Put(o, "timeout", h.timeout);
  return o;
}

static ordered_json Encode(const Namespace& n) {
  ordered_json o = {{"type", n.type}};
  Put(o, "path", n.path);
  return o;
}

static ordered_json Encode(const IdMapping& m) {
  return {{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}};
}

static ordered_json Encode(const Device& d) {
  ordered_json o = {{"path", d.path}, {"type", d.type}, {"major", d.major}, {"minor", d.minor}};
  Put(o, "fileMode", d.file_mode);
  Put(o, "uid", d.uid);
  Put(o, "gid", d.gid);
  return o;
}

static ordered_json Encode(const DeviceCgroup& d) {
  ordered_json o = {{"allow", d.allow}};
  Put(o, "type", d.type);
  Put(o, "major", d.major);
  Put(o, "minor", d.minor);
  Put(o, "access", d.access);
  return o;
}

static ordered_json Encode(const MemoryResources& m) {
  ordered_json o = ordered_json::object();
  Put(o, "limit", m.limit);
  Put(o, "reservation", m.reservation);
  Put(o, "swap", m.swap);
  Put(o, "kernel", m.kernel);
  Put(o, "kernelTCP", m.kernel_tcp);
  Put(o, "swappiness", m.swappiness);
  Put(o, "disableOOMKiller", m.disable_oom_killer);
  Put(o, "useHierarchy", m.use_hierarchy);
  return o;
}

static ordered_json Encode(const CpuResources& c) {
  ordered_json o = ordered_json::object();
  Put(o, "shares", c.shares);
  Put(o, "quota", c.quota);
  Put(o, "period", c.period);
  Put(o, "realtimeRuntime", c.realtime_runtime);
  Put(o, "realtimePeriod", c.realtime_period);
  Put(o, "cpus", c.cpus);
  Put(o, "mems", c.mems);
  return o;
}

static ordered_json Encode(const PidsResources& p) { return {{"limit", p.limit}}; }

static ordered_json Encode(const WeightDevice& w) {
  ordered_json o = {{"major", w.major}, {"minor", w.minor}};
  Put(o, "weight", w.weight);
  Put(o, "leafWeight", w.leaf_weight);
  return o;
}

static ordered_json Encode(const ThrottleDevice& t) {
  return {{"major", t.major}, {"minor", t.minor}, {"rate", t.rate}};
}

static ordered_json Encode(const BlockIoResources& b) {
  ordered_json o = ordered_json::object();
  Put(o, "weight", b.weight);
  Put(o, "leafWeight", b.leaf_weight);
  Put(o, "weightDevice", b.weight_device);
  Put(o, "throttleReadBpsDevice", b.throttle_read_bps_device);
  Put(o, "throttleWriteBpsDevice", b.throttle_write_bps_device);
  Put(o, "throttleReadIOPSDevice", b.throttle_read_iops_device);
  Put(o, "throttleWriteIOPSDevice", b.throttle_write_iops_device);
  return o;
}

static ordered_json Encode(const HugepageLimit& h) {
  return {{"pageSize", h.page_size}, {"limit", h.limit}};
}

static ordered_json Encode(const Resources& r) {
  ordered_json o = ordered_json::object();
  Put(o, "devices", r.devices);
  Put(o, "memory", r.memory);
  Put(o, "cpu", r.cpu);
  Put(o, "pids", r.pids);
  Put(o, "blockIO", r.block_io);
  Put(o, "hugepageLimits", r.hugepage_limits);
  Put(o, "unified", r.unified);
  return o;
}

static ordered_json Encode(const SeccompArg& a) {
  ordered_json o = {{"index", a.index}, {"value", a.value}};
  if (a.value_two != 0) o["valueTwo"] = a.value_two;
  o["op"] = a.op;
  return o;
}

static ordered_json Encode(const SeccompSyscall& s) {
  ordered_json o = {{"names", s.names}, {"action", s.action}};
  Put(o, "errnoRet", s.errno_ret);
  Put(o, "args", s.args);
  return o;
}

static ordered_json Encode(const Seccomp& s) {
  ordered_json o = {{"defaultAction", s.default_action}};
  Put(o, "defaultErrnoRet", s.default_errno_ret);
  Put(o, "architectures", s.architectures);
  Put(o, "flags", s.flags);
  Put(o, "listenerPath", s.listener_path);
  Put(o, "syscalls", s.syscalls);
  return o;
}

static ordered_json Encode(const Linux& l) {
  ordered_json o = ordered_json::object();
  Put(o, "uidMappings", l.uid_mappings);
  Put(o, "gidMappings", l.gid_mappings);
  Put(o, "sysctl", l.sysctl);
  Put(o, "resources", l.resources);
  Put(o, "cgroupsPath", l.cgroups_path);
  Put(o, "namespaces", l.namespaces);
  Put(o, "devices", l.devices);
  Put(o, "seccomp", l.seccomp);
  Put(o, "rootfsPropagation", l.rootfs_propagation);
  Put(o, "maskedPaths", l.masked_paths);
  Put(o, "readonlyPaths", l.readonly_paths);
  Put(o, "mountLabel", l.mount_label);
  return o;
}

static ordered_json EncodeHooks(const Hooks& h) {
  ordered_json o = ordered_json::object();
  Put(o, "prestart", h.prestart);
  Put(o, "createRuntime", h.create_runtime);
  Put(o, "createContainer", h.create_container);
  Put(o, "startContainer", h.start_container);
  Put(o, "poststart", h.poststart);
  Put(o, "poststop", h.poststop);
  return o;
}

namespace {

template <typename T>
void Put(ordered_json& o, const char* key, const std::vector<T>& v) {
  if (v.empty()) return;
  ordered_json a = ordered_json::array();
  for (const T& item : v) a.push_back(Encode(item));
  o[key] = std::move(a);
}

template <typename T>
void Put(ordered_json& o, const char* key, const std::optional<T>& v) {
  if (v) o[key] = Encode(*v);
}

}  // namespace

ordered_json ToOrderedJson(const Spec& spec) {
  ordered_json o = {{"ociVersion", spec.oci_version}};
  if (spec.has_process) o["process"] = EncodeProcess(spec.process);
  ordered_json root = {{"path", spec.root.path}};
  PutTrue(root, "readonly", spec.root.readonly);
  o["root"] = std::move(root);
  Put(o, "hostname", spec.hostname);
  Put(o, "domainname", spec.domainname);
  Put(o, "mounts", spec.mounts);
  ordered_json hooks = EncodeHooks(spec.hooks);
  if (!hooks.empty()) o["hooks"] = std::move(hooks);
  Put(o, "annotations", spec.annotations);
  o["linux"] = Encode(spec.linux);
  return o;
}

nlohmann::json ToJson(const Spec& spec) { return nlohmann::json(ToOrderedJson(spec)); }

ordered_json ToOrderedJson(const Process& process) { return EncodeProcess(process); }

nlohmann::json ToJson(const Process& process) { return nlohmann::json(EncodeProcess(process)); }

ordered_json ToOrderedJson(const State& state) {
  ordered_json o = {{"ociVersion", state.oci_version},
                    {"id", state.id},
                    {"status", state.status},
                    {"pid", state.pid},
                    {"bundle", state.bundle}};
  Put(o, "annotations", state.annotations);
  return o;
}

nlohmann::json ToJson(const State& state) { return nlohmann::json(ToOrderedJson(state)); }

}  // namespace berth::oci

// Decoding of config.json, process.json and state JSON into the spec types.
// Encoding lives in runtime_spec_encode.cc, validation in spec_validate.cc.
#include "oci/runtime_spec_codec.h"

#include "base/fs.h"
#include "oci/json_reader.h"

namespace berth::oci {

using nlohmann::json;

// One reader per spec type; found by argument-dependent lookup from the
// generic vector/optional readers in json_reader.h.

static Status ReadJson(const json& j, const std::string& p, ConsoleSize* c) {
  return JsonObject(j, p).Field("height", &c->height).Field("width", &c->width).status();
}

static Status ReadJson(const json& j, const std::string& p, User* u) {
  return JsonObject(j, p)
      .Field("uid", &u->uid)
      .Field("gid", &u->gid)
      .Field("umask", &u->umask)
      .Field("additionalGids", &u->additional_gids)
      .Field("username", &u->username)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Capabilities* c) {
  return JsonObject(j, p)
      .Field("bounding", &c->bounding)
      .Field("effective", &c->effective)
      .Field("inheritable", &c->inheritable)
      .Field("permitted", &c->permitted)
      .Field("ambient", &c->ambient)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Rlimit* r) {
  return JsonObject(j, p)
      .Field("type", &r->type)
      .Field("hard", &r->hard)
      .Field("soft", &r->soft)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Process* pr) {
  return JsonObject(j, p)
      .Field("terminal", &pr->terminal)
      .Field("consoleSize", &pr->console_size)
      .Field("user", &pr->user)
      .Field("args", &pr->args)
      .Field("env", &pr->env)
      .Field("cwd", &pr->cwd)
      .Field("capabilities", &pr->capabilities)
      .Field("rlimits", &pr->rlimits)
      .Field("noNewPrivileges", &pr->no_new_privileges)
      .Field("apparmorProfile", &pr->apparmor_profile)
      .Field("oomScoreAdj", &pr->oom_score_adj)
      .Field("selinuxLabel", &pr->selinux_label)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Root* r) {
  return JsonObject(j, p).Field("path", &r->path).Field("readonly", &r->readonly).status();
}

static Status ReadJson(const json& j, const std::string& p, Mount* m) {
  return JsonObject(j, p)
      .Field("destination", &m->destination)
      .Field("type", &m->type)
      .Field("source", &m->source)
      .Field("options", &m->options)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Hook* h) {
  return JsonObject(j, p)
      .Field("path", &h->path)
      .Field("args", &h->args)
      .Field("env", &h->env)
      .Field("timeout", &h->timeout)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Hooks* h) {
  return JsonObject(j, p)
      .Field("prestart", &h->prestart)
      .Field("createRuntime", &h->create_runtime)
      .Field("createContainer", &h->create_container)
      .Field("startContainer", &h->start_container)
      .Field("poststart", &h->poststart)
      .Field("poststop", &h->poststop)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Namespace* n) {
  return JsonObject(j, p).Field("type", &n->type).Field("path", &n->path).status();
}

static Status ReadJson(const json& j, const std::string& p, IdMapping* m) {
  return JsonObject(j, p)
      .Field("containerID", &m->container_id)
      .Field("hostID", &m->host_id)
      .Field("size", &m->size)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Device* d) {
  return JsonObject(j, p)
      .Field("type", &d->type)
      .Field("path", &d->path)
      .Field("major", &d->major)
      .Field("minor", &d->minor)
      .Field("fileMode", &d->file_mode)
      .Field("uid", &d->uid)
      .Field("gid", &d->gid)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, DeviceCgroup* d) {
  return JsonObject(j, p)
      .Field("allow", &d->allow)
      .Field("type", &d->type)
      .Field("major", &d->major)
      .Field("minor", &d->minor)
      .Field("access", &d->access)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, MemoryResources* m) {
  return JsonObject(j, p)
      .Field("limit", &m->limit)
      .Field("reservation", &m->reservation)
      .Field("swap", &m->swap)
      .Field("kernel", &m->kernel)
      .Field("kernelTCP", &m->kernel_tcp)
      .Field("swappiness", &m->swappiness)
      .Field("disableOOMKiller", &m->disable_oom_killer)
      .Field("useHierarchy", &m->use_hierarchy)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, CpuResources* c) {
  return JsonObject(j, p)
      .Field("shares", &c->shares)
      .Field("quota", &c->quota)
      .Field("period", &c->period)
      .Field("realtimeRuntime", &c->realtime_runtime)
      .Field("realtimePeriod", &c->realtime_period)
      .Field("cpus", &c->cpus)
      .Field("mems", &c->mems)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, PidsResources* r) {
  return JsonObject(j, p).Field("limit", &r->limit).status();
}

static Status ReadJson(const json& j, const std::string& p, WeightDevice* w) {
  return JsonObject(j, p)
      .Field("major", &w->major)
      .Field("minor", &w->minor)
      .Field("weight", &w->weight)
      .Field("leafWeight", &w->leaf_weight)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, ThrottleDevice* t) {
  return JsonObject(j, p)
      .Field("major", &t->major)
      .Field("minor", &t->minor)
      .Field("rate", &t->rate)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, BlockIoResources* b) {
  return JsonObject(j, p)
      .Field("weight", &b->weight)
      .Field("leafWeight", &b->leaf_weight)
      .Field("weightDevice", &b->weight_device)
      .Field("throttleReadBpsDevice", &b->throttle_read_bps_device)
      .Field("throttleWriteBpsDevice", &b->throttle_write_bps_device)
      .Field("throttleReadIOPSDevice", &b->throttle_read_iops_device)
      .Field("throttleWriteIOPSDevice", &b->throttle_write_iops_device)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, HugepageLimit* h) {
  return JsonObject(j, p).Field("pageSize", &h->page_size).Field("limit", &h->limit).status();
}

static Status ReadJson(const json& j, const std::string& p, Resources* r) {
  return JsonObject(j, p)
      .Field("devices", &r->devices)
      .Field("memory", &r->memory)
      .Field("cpu", &r->cpu)
      .Field("pids", &r->pids)
      .Field("blockIO", &r->block_io)
      .Field("hugepageLimits", &r->hugepage_limits)
      .Field("unified", &r->unified)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, SeccompArg* a) {
  return JsonObject(j, p)
      .Field("index", &a->index)
      .Field("value", &a->value)
      .Field("valueTwo", &a->value_two)
      .Field("op", &a->op)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, SeccompSyscall* s) {
  return JsonObject(j, p)
      .Field("names", &s->names)
      .Field("action", &s->action)
      .Field("errnoRet", &s->errno_ret)
      .Field("args", &s->args)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Seccomp* s) {
  return JsonObject(j, p)
      .Field("defaultAction", &s->default_action)
      .Field("defaultErrnoRet", &s->default_errno_ret)
      .Field("architectures", &s->architectures)
      .Field("flags", &s->flags)
      .Field("listenerPath", &s->listener_path)
      .Field("syscalls", &s->syscalls)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Linux* l) {
  return JsonObject(j, p)
      .Field("namespaces", &l->namespaces)
      .Field("uidMappings", &l->uid_mappings)
      .Field("gidMappings", &l->gid_mappings)
      .Field("devices", &l->devices)
      .Field("cgroupsPath", &l->cgroups_path)
      .Field("resources", &l->resources)
      .Field("rootfsPropagation", &l->rootfs_propagation)
      .Field("seccomp", &l->seccomp)
      .Field("sysctl", &l->sysctl)
      .Field("maskedPaths", &l->masked_paths)
      .Field("readonlyPaths", &l->readonly_paths)
      .Field("mountLabel", &l->mount_label)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, Spec* s) {
  return JsonObject(j, p)
      .Field("ociVersion", &s->oci_version)
      .Field("process", &s->process, &s->has_process)
      .Field("root", &s->root)
      .Field("hostname", &s->hostname)
      .Field("domainname", &s->domainname)
      .Field("mounts", &s->mounts)
      .Field("hooks", &s->hooks)
      .Field("annotations", &s->annotations)
      .Field("linux", &s->linux)
      .status();
}

static Status ReadJson(const json& j, const std::string& p, State* s) {
  return JsonObject(j, p)
      .Field("ociVersion", &s->oci_version)
      .Field("id", &s->id)
      .Field("status", &s->status)
      .Field("pid", &s->pid)
      .Field("bundle", &s->bundle)
      .Field("annotations", &s->annotations)
      .status();
}

// Parses text and decodes the whole document into a T.
template <typename T>
static Result<T> Decode(std::string_view text) {
  json doc = BERTH_TRY(ParseJsonDocument(text));
  T value;
  try {
    BERTH_TRY(ReadJson(doc, "", &value));
  } catch (const json::exception& e) {  // not expected: types are checked first
    return Error::Internal(std::string("decode JSON: ") + e.what());
  }
  return value;
}

Result<Spec> ParseSpec(std::string_view text) { return Decode<Spec>(text); }

Result<Spec> LoadSpec(const std::string& path) {
  std::string text = BERTH_TRY(fs::ReadFile(path));
  return ParseSpec(text).Context("parse " + path);
}

Result<Process> ParseProcess(std::string_view text) { return Decode<Process>(text); }

Result<State> ParseState(std::string_view text) { return Decode<State>(text); }

}  // namespace berth::oci

#include "runtime/process_setup.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
#include "sys/capabilities.h"

namespace berth::runtime {
namespace {

int RlimitResource(const std::string& name) {
  static const std::pair<const char*, int> kTable[] = {
      {"RLIMIT_CPU", RLIMIT_CPU},         {"RLIMIT_FSIZE", RLIMIT_FSIZE},
      {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_STACK", RLIMIT_STACK},
      {"RLIMIT_CORE", RLIMIT_CORE},       {"RLIMIT_RSS", RLIMIT_RSS},
      {"RLIMIT_NPROC", RLIMIT_NPROC},     {"RLIMIT_NOFILE", RLIMIT_NOFILE},
      {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_AS", RLIMIT_AS},
      {"RLIMIT_LOCKS", RLIMIT_LOCKS},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
      {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
      {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},
  };
  for (const auto& [n, v] : kTable)
    if (name == n) return v;
  return -1;
}

std::string Limit(uint64_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

}  // namespace

Status ApplyRlimits(const std::vector<oci::Rlimit>& rlimits) {
  for (const auto& r : rlimits) {
    int res = RlimitResource(r.type);
    if (res < 0) return Error::Invalid("process.rlimits: unknown type \"" + r.type + "\"");
    struct rlimit lim = {r.soft, r.hard};
    if (::setrlimit(res, &lim) == 0) continue;
    int err = errno;
    struct rlimit cur;
    ::getrlimit(res, &cur);
    std::string msg = "setrlimit " + r.type + " (soft " + Limit(r.soft) + ", hard " +
                      Limit(r.hard) + ")";
    if (err == EPERM && r.hard > cur.rlim_max)
      msg += " exceeds the host's hard limit " + Limit(cur.rlim_max) +
             " and raising it needs CAP_SYS_RESOURCE";
    return Error::Sys(msg, err);
  }
  return Ok();
}

Status ApplyOomScoreAdj(const std::optional<int>& adj) {
  if (!adj) return Ok();
  auto st = fs::WriteFile("/proc/self/oom_score_adj", std::to_string(*adj));
  if (!st.ok() && st.error().err() == EACCES) {
    auto cur = fs::ReadFile("/proc/self/oom_score_adj");
    return Error(Code::kPermissionDenied,
                 "set oom_score_adj to " + std::to_string(*adj) +
                     ": lowering it below the current value (" +
                     std::string(cur.ok() ? str::Trim(*cur) : "?") +
                     ") needs CAP_SYS_RESOURCE",
                 EACCES);
  }
  return st;
}

Status SwitchUserAndCapabilities(const oci::Process& p) {
  sys::CapSets caps;
  const bool set_caps = p.capabilities.has_value();
  if (set_caps) {
    std::vector<std::string> unknown;
    caps.bounding = BERTH_TRY(sys::CapMask(p.capabilities->bounding, &unknown));
    caps.effective = BERTH_TRY(sys::CapMask(p.capabilities->effective, &unknown));
    caps.permitted = BERTH_TRY(sys::CapMask(p.capabilities->permitted, &unknown));
    caps.inheritable = BERTH_TRY(sys::CapMask(p.capabilities->inheritable, &unknown));
    caps.ambient = BERTH_TRY(sys::CapMask(p.capabilities->ambient, &unknown));
    for (const auto& u : unknown) log::Debug("unknown capability {} ignored", u);
    BERTH_TRY(sys::DropBounding(caps.bounding));
  }
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return Error::Sys("prctl(PR_SET_KEEPCAPS)");
  std::vector<gid_t> groups(p.user.additional_gids.begin(), p.user.additional_gids.end());
  if (::setgroups(groups.size(), groups.data()) < 0) {
    // In a user namespace with setgroups denied, only an empty list fails.
    if (!(errno == EPERM && groups.empty())) return Error::Sys("setgroups");
  }
  if (::setresgid(p.user.gid, p.user.gid, p.user.gid) < 0)
    return Error::Sys("setgid " + std::to_string(p.user.gid));
  if (::setresuid(p.user.uid, p.user.uid, p.user.uid) < 0)
    return Error::Sys("setuid " + std::to_string(p.user.uid));
  if (set_caps) BERTH_TRY(sys::SetCapabilities(caps));
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return Error::Sys("prctl(PR_SET_KEEPCAPS)");
  if (p.user.umask) ::umask(*p.user.umask);
  return Ok();
}

Result<std::string> LookPath(const std::string& file, const std::vector<std::string>& env) {
  auto check = [](const std::string& path) -> Status {
    struct stat st;
    if (::stat(path.c_str(), &st) < 0) return Error::Sys("stat " + path);
    // Go's exec.LookPath (runc): a directory is fs.ErrPermission, so clients
    // see "permission denied" (docker run: exit 126).
    if (S_ISDIR(st.st_mode)) return Error(Code::kPermissionDenied, path + ": is a directory", EACCES);
    if (::access(path.c_str(), X_OK) < 0) return Error::Sys("exec " + path);
    return Ok();
  };
  if (file.empty()) return Error::Invalid("process.args[0] is empty");
  if (file.find('/') != std::string::npos) {
    auto st = check(file);
    if (!st.ok()) {
      // Go's wording, which clients match on ("no such file or directory"
      // gives exit 127, "permission denied" 126).
      Error e = std::move(st).error();
      std::string why = std::strerror(e.err());
      if (!why.empty()) why[0] = static_cast<char>(std::tolower(why[0]));
      if (e.err() == ENOENT || e.err() == ENOTDIR) why = "stat " + file + ": " + why;
      return Error(e.code(), "exec: \"" + file + "\": " + why, e.err());
    }
    return file;
  }
  std::string path_var = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (const auto& e : env)
    if (str::StartsWith(e, "PATH=")) path_var = e.substr(5);
  bool denied = false;
  for (const auto& dir : str::Split(path_var, ':')) {
    std::string cand = fs::Join(dir.empty() ? "." : dir, file);
    auto st = check(cand);
    if (st.ok()) return cand;
    if (st.error().err() == EACCES) denied = true;
  }
  if (denied)
    return Error(Code::kPermissionDenied, "exec: \"" + file + "\": permission denied", EACCES);
  return Error(Code::kNotFound, "exec: \"" + file + "\": executable file not found in $PATH",
               ENOENT);
}

Error Exec(const std::string& path, const oci::Process& p) {
  std::vector<char*> argv, envp;
  for (const auto& a : p.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : p.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ::execve(path.c_str(), argv.data(), envp.data());
  return Error::Sys("exec " + path);
}

}  // namespace berth::runtime

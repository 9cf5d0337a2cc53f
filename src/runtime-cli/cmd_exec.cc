// exec: run a process in a running container.
#include <cstdio>

#include "base/fs.h"
#include "base/strings.h"
#include "oci/runtime_spec_codec.h"
#include "runtime-cli/args.h"
#include "runtime-cli/commands.h"

namespace berth::cli {
namespace {

const std::vector<FlagSpec> kExecFlags = {
    {"console-socket", 0, true}, {"cwd", 0, true},           {"env", 'e', true},
    {"tty", 't', false},         {"user", 'u', true},        {"additional-gids", 'g', true},
    {"process", 'p', true},      {"detach", 'd', false},     {"pid-file", 0, true},
    {"process-label", 0, true, true}, {"apparmor", 0, true, true},
    {"no-new-privs", 0, false},  {"cap", 'c', true},         {"preserve-fds", 0, true},
    {"cgroup", 0, true, true},   {"ignore-paused", 0, false},
};

Result<uint32_t> ParseId(const std::string& s, const char* what) {
  auto n = str::ParseUint(s);
  if (!n || *n > UINT32_MAX) return Error::Invalid(std::string("invalid ") + what + " \"" + s + "\"");
  return static_cast<uint32_t>(*n);
}

Result<runtime::ExecOptions> Options(const runtime::GlobalOptions& g, const Args& a) {
  if (a.positionals.empty()) return Error::Invalid("exec requires the container id");
  runtime::ExecOptions o;
  o.id = a.positionals[0];
  if (a.Has("process")) {
    auto text = BERTH_TRY(fs::ReadFile(a.Get("process")));
    o.process = BERTH_TRY_CTX(oci::ParseProcess(text), a.Get("process"));
  } else {
    o.process = BERTH_TRY(runtime::DefaultExecProcess(g, o.id));
    o.process.args.assign(a.positionals.begin() + 1, a.positionals.end());
    if (o.process.args.empty()) return Error::Invalid("exec requires a command to run");
  }
  if (a.Has("tty")) o.process.terminal = true;
  if (a.Has("cwd")) o.process.cwd = a.Get("cwd");
  for (const auto& e : a.GetAll("env")) {
    auto key = e.substr(0, e.find('='));
    std::erase_if(o.process.env, [&](const std::string& x) {
      return x.substr(0, x.find('=')) == key;
    });
    o.process.env.push_back(e);
  }
  if (a.Has("user")) {
    bool has_gid = false;
    auto [u, gid] = str::Cut(a.Get("user"), ':', &has_gid);
    o.process.user.uid = BERTH_TRY(ParseId(u, "uid"));
    o.process.user.gid = has_gid ? BERTH_TRY(ParseId(gid, "gid")) : 0;
  }
  for (const auto& gids : a.GetAll("additional-gids"))
    o.process.user.additional_gids.push_back(BERTH_TRY(ParseId(gids, "gid")));
  if (a.Has("no-new-privs")) o.process.no_new_privileges = true;
  for (const auto& c : a.GetAll("cap")) {
    if (!o.process.capabilities) o.process.capabilities.emplace();
    auto& caps = *o.process.capabilities;
    for (auto* set : {&caps.bounding, &caps.effective, &caps.permitted})
      set->push_back(c);
  }
  o.detach = a.Has("detach");
  o.pid_file = a.Get("pid-file");
  o.console_socket = a.Get("console-socket");
  o.ignore_paused = a.Has("ignore-paused");
  if (a.Has("preserve-fds")) {
    auto n = str::ParseInt(a.Get("preserve-fds"));
    if (!n || *n < 0) return Error::Invalid("invalid --preserve-fds");
    o.preserve_fds = static_cast<int>(*n);
  }
  return o;
}

}  // namespace

int CmdExec(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, kExecFlags, /*stop_at_positional=*/true, nullptr);
  if (!a.ok()) return Fail(a.error());
  // Flags come before the id; everything after it is the command.
  auto o = Options(g, *a);
  if (!o.ok()) return Fail(o.error());
  auto r = runtime::Exec(g, *o);
  if (!r.ok()) {
    Fail(r.error());
    return 255;
  }
  return *r;
}

}  // namespace berth::cli

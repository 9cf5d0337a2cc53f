// create, run, start, delete, kill, pause, resume.
#include <cstdio>

#include "base/log.h"
#include "base/strings.h"
#include "runtime-cli/args.h"
#include "runtime-cli/commands.h"
#include "sys/signals.h"

namespace berth::cli {
namespace {

const std::vector<FlagSpec> kCreateFlags = {
    {"bundle", 'b', true},          {"pid-file", 0, true},
    {"console-socket", 0, true},    {"no-pivot", 0, false},
    {"preserve-fds", 0, true},      {"detach", 'd', false},
    {"no-new-keyring", 0, false, true}, {"no-subreaper", 0, false, true},
    {"keep", 0, false, true},       {"notify-socket", 0, true, true},
    {"pidfd-socket", 0, true, true},
};

Result<runtime::CreateOptions> CreateOptionsFrom(const Args& a, const char* cmd) {
  if (a.positionals.size() != 1)
    return Error::Invalid(std::string(cmd) + " requires exactly 1 argument: the container id");
  runtime::CreateOptions o;
  o.id = a.positionals[0];
  o.bundle = a.Get("bundle", ".");
  o.pid_file = a.Get("pid-file");
  o.console_socket = a.Get("console-socket");
  o.no_pivot = a.Has("no-pivot");
  if (a.Has("preserve-fds")) {
    auto n = str::ParseInt(a.Get("preserve-fds"));
    if (!n || *n < 0) return Error::Invalid("invalid --preserve-fds \"" + a.Get("preserve-fds") + "\"");
    o.preserve_fds = static_cast<int>(*n);
  }
  return o;
}

Result<std::string> OneId(const Args& a, const char* cmd) {
  if (a.positionals.size() != 1)
    return Error::Invalid(std::string(cmd) + " requires exactly 1 argument: the container id");
  return a.positionals[0];
}

}  // namespace

int Fail(const Error& e) {
  if (log::ToFile()) log::Error("{}", e.message());
  std::fprintf(stderr, "berth-runtime: %s\n", e.message().c_str());
  return 1;
}

int CmdCreate(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, kCreateFlags, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  auto o = CreateOptionsFrom(*a, "create");
  if (!o.ok()) return Fail(o.error());
  auto st = runtime::Create(g, *o);
  return st.ok() ? 0 : Fail(st.error());
}

int CmdRun(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, kCreateFlags, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  auto o = CreateOptionsFrom(*a, "run");
  if (!o.ok()) return Fail(o.error());
  auto r = runtime::Run(g, *o, a->Has("detach"));
  return r.ok() ? *r : Fail(r.error());
}

int CmdStart(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, {}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  auto id = OneId(*a, "start");
  if (!id.ok()) return Fail(id.error());
  auto st = runtime::Start(g, *id);
  return st.ok() ? 0 : Fail(st.error());
}

int CmdDelete(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, {{"force", 'f', false}}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  auto id = OneId(*a, "delete");
  if (!id.ok()) return Fail(id.error());
  auto st = runtime::Delete(g, *id, a->Has("force"));
  if (!st.ok() && st.error().code() == Code::kNotFound && a->Has("force")) return 0;
  return st.ok() ? 0 : Fail(st.error());
}

int CmdKill(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, {{"all", 'a', false}}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  if (a->positionals.empty() || a->positionals.size() > 2)
    return Fail(Error::Invalid("kill requires the container id and optionally a signal"));
  int sig = 15;
  if (a->positionals.size() == 2) {
    auto s = sys::ParseSignal(a->positionals[1]);
    if (!s.ok()) return Fail(s.error());
    sig = *s;
  }
  auto st = runtime::Kill(g, a->positionals[0], sig, a->Has("all"));
  return st.ok() ? 0 : Fail(st.error());
}

int CmdPause(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, {}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  auto id = OneId(*a, "pause");
  if (!id.ok()) return Fail(id.error());
  auto st = runtime::Pause(g, *id);
  return st.ok() ? 0 : Fail(st.error());
}

int CmdResume(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, {}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  auto id = OneId(*a, "resume");
  if (!id.ok()) return Fail(id.error());
  auto st = runtime::Resume(g, *id);
  return st.ok() ? 0 : Fail(st.error());
}

}  // namespace berth::cli

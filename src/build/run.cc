// RUN: the command runs in a container made from the current step's image
// and config; its changes become the step's layer (state.h).
#include <fmt/format.h>

#include "base/scope_guard.h"
#include "base/strings.h"
#include "build/state.h"

namespace berth::build {
namespace {

// The command line of a RUN with here-documents: `RUN <<EOF` alone runs
// the document as the script; otherwise the shell gets the line and the
// documents, as it would read them from a file.
std::string WithHeredocs(const dockerfile::Instruction& in, const std::string& line) {
  if (in.heredocs.size() == 1) {
    std::string t(str::Trim(line));
    const dockerfile::Heredoc& h = in.heredocs[0];
    if (t == "<<" + h.name || t == "<<-" + h.name || t == "<<\"" + h.name + "\"" ||
        t == "<<'" + h.name + "'" || t == "<<-\"" + h.name + "\"" || t == "<<-'" + h.name + "'")
      return h.content;
  }
  std::string out = line;
  for (const dockerfile::Heredoc& h : in.heredocs) out += "\n" + h.content + h.name;
  return out;
}

}  // namespace

Status Dispatcher::Run(const dockerfile::Instruction& in, StageState* st) {
  BERTH_TRY(ParseFlags(in, {}));
  if (!st->has_image) return Error::Invalid("Please provide a source image with `from` prior to run");
  std::vector<std::string> cmd;
  if (in.json) {
    cmd = in.args;
  } else {
    cmd = st->Shell();
    cmd.push_back(WithHeredocs(in, in.args.empty() ? "" : in.args[0]));
  }
  std::vector<std::string> build_args = args_.Effective(st->run_config.value("Env", json::array()));
  std::vector<std::string> save_cmd = cmd;
  if (!build_args.empty()) {
    std::vector<std::string> shown;
    for (const std::string& a : build_args) {
      std::string key = a.substr(0, a.find('='));
      if (args_.Declared(key) || !args_.IsBuiltin(key)) shown.push_back(a);
    }
    save_cmd = {fmt::format("|{}", shown.size())};
    save_cmd.insert(save_cmd.end(), shown.begin(), shown.end());
    save_cmd.insert(save_cmd.end(), cmd.begin(), cmd.end());
  }
  json probe = st->run_config;
  probe["Cmd"] = save_cmd;
  probe["Entrypoint"] = nullptr;
  if (BERTH_TRY(Probe(st, probe))) return Ok();

  // The container: the stage's config, the command, the build args in its
  // environment, no entrypoint and no health check.
  json body = st->run_config;
  body["Cmd"] = cmd;
  json env = body.value("Env", json::array());
  for (const std::string& a : build_args) env.push_back(a);
  body["Env"] = env;
  body["Entrypoint"] = json::array({""});
  body.erase("Healthcheck");
  body["Image"] = st->image_id;
  body["AttachStdout"] = true;
  body["AttachStderr"] = true;
  json host = json::object();
  if (!opts_.network_mode.empty()) host["NetworkMode"] = opts_.network_mode;
  body["HostConfig"] = host;

  std::string id = BERTH_TRY(backend_.CreateContainer(body));
  // A failed step leaves no container behind (unless --rm=false).
  ScopeGuard on_fail([&] {
    if (opts_.remove || opts_.force_remove) (void)backend_.RemoveContainer(id);
  });
  out_.stream(fmt::format(" ---> Running in {}\n", Short(id)));
  int code = BERTH_TRY(backend_.RunContainer(id, out_.stream));
  if (code != 0) {
    if (out_.run_failed) out_.run_failed(code);
    return Error::Invalid(
        fmt::format("The command '{}' returned a non-zero code: {}", str::Join(cmd, " "), code));
  }
  CommitRequest req;
  req.parent = st->image_id;
  req.config = st->run_config;
  req.container_config = probe;
  req.author = st->maintainer;
  st->image_id = BERTH_TRY(backend_.CommitContainer(id, req));
  on_fail.Dismiss();
  if (opts_.remove || opts_.force_remove) {
    BERTH_TRY(backend_.RemoveContainer(id));
    out_.stream(fmt::format("Removing intermediate container {}\n", Short(id)));
  }
  return Ok();
}

}  // namespace berth::build

// state, list, ps.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/strings.h"
#include "oci/runtime_spec_codec.h"
#include "runtime-cli/args.h"
#include "runtime-cli/commands.h"

namespace berth::cli {
namespace {

// Prints rows as columns separated by at least three spaces, like Go's
// tabwriter as runc uses it.
void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], r[i].size());
    }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 3, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

}  // namespace

int CmdState(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, {}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  if (a->positionals.size() != 1) return Fail(Error::Invalid("state requires exactly 1 argument"));
  auto s = runtime::GetState(g, a->positionals[0]);
  if (!s.ok()) return Fail(s.error());
  std::printf("%s\n", oci::ToOrderedJson(*s).dump(2).c_str());
  return 0;
}

int CmdList(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, {{"format", 'f', true}, {"quiet", 'q', false}}, false, nullptr);
  if (!a.ok()) return Fail(a.error());
  auto list = runtime::List(g);
  if (!list.ok()) return Fail(list.error());
  if (a->Has("quiet")) {
    for (const auto& s : *list) std::printf("%s\n", s.state.id.c_str());
    return 0;
  }
  std::string format = a->Get("format", "table");
  if (format == "json") {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& s : *list) {
      nlohmann::ordered_json j = oci::ToOrderedJson(s.state);
      j["created"] = s.created;
      j["owner"] = s.owner;
      j["rootfs"] = "";
      out.push_back(j);
    }
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  if (format != "table") return Fail(Error::Invalid("invalid format option \"" + format + "\""));
  std::vector<std::vector<std::string>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
  for (const auto& s : *list)
    rows.push_back({s.state.id, std::to_string(s.state.pid), s.state.status, s.state.bundle,
                    s.created, s.owner});
  PrintTable(rows);
  return 0;
}

int CmdPs(const runtime::GlobalOptions& g, const Argv& args, size_t at) {
  auto a = Parse(args, at, {{"format", 'f', true}}, /*stop_at_positional=*/true, nullptr);
  if (!a.ok()) return Fail(a.error());
  if (a->positionals.empty()) return Fail(Error::Invalid("ps requires the container id"));
  auto pids = runtime::Pids(g, a->positionals[0]);
  if (!pids.ok()) return Fail(pids.error());
  std::string format = a->Get("format", "table");
  if (format == "json") {
    std::printf("%s\n", nlohmann::json(*pids).dump().c_str());
    return 0;
  }
  if (format != "table") return Fail(Error::Invalid("invalid format option \"" + format + "\""));
  // Like runc: run ps(1) with the given options (default -ef) and keep the
  // header and the rows of the container's processes.
  std::vector<std::string> ps_args = {"ps"};
  if (a->positionals.size() > 1)
    ps_args.insert(ps_args.end(), a->positionals.begin() + 1, a->positionals.end());
  else
    ps_args.push_back("-ef");
  int pipefd[2];
  if (::pipe(pipefd) < 0) return Fail(Error::Sys("pipe"));
  pid_t child = ::fork();
  if (child == 0) {
    ::dup2(pipefd[1], 1);
    ::close(pipefd[0]);
    ::close(pipefd[1]);
    std::vector<char*> argv;
    for (auto& s : ps_args) argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execvp("ps", argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  auto out = fs::ReadFd(pipefd[0]);
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!out.ok() || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Fail(Error::Internal("ps failed"));
  auto lines = str::Split(*out, '\n');
  if (lines.empty()) return 0;
  auto header = str::Split(lines[0], ' ');
  size_t pid_col = 0, col = 0;
  bool found = false;
  for (const auto& h : header) {
    if (h.empty()) continue;
    if (h == "PID") {
      pid_col = col;
      found = true;
    }
    ++col;
  }
  if (!found) return Fail(Error::Invalid("ps output has no PID column"));
  std::set<pid_t> want(pids->begin(), pids->end());
  std::printf("%s\n", lines[0].c_str());
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> fields;
    for (auto& f : str::Split(lines[i], ' '))
      if (!f.empty()) fields.push_back(f);
    if (fields.size() <= pid_col) continue;
    auto p = str::ParseInt(fields[pid_col]);
    if (p && want.count(static_cast<pid_t>(*p))) std::printf("%s\n", lines[i].c_str());
  }
  return 0;
}

}  // namespace berth::cli

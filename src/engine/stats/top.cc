// docker top: the host's ps, filtered to the container's processes (moby's
// daemon/top_unix.go behaviour).
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <regex>

#include "base/fs.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "engine/stats/stats_json.h"

extern char** environ;

namespace berth::engine::stats {
namespace {

// strings.FieldsFunc(s, unicode.IsSpace) for ASCII whitespace.
std::vector<std::string> FieldsAscii(std::string_view s) {
  std::vector<std::string> out;
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !space(s[j])) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

void Append(TopResult* r, const std::vector<std::string>& fields) {
  size_t n = r->titles.size();
  if (fields.size() <= n) {
    r->processes.push_back(fields);
    return;
  }
  std::vector<std::string> p(fields.begin(), fields.begin() + static_cast<long>(n - 1));
  std::vector<std::string> rest(fields.begin() + static_cast<long>(n - 1), fields.end());
  p.push_back(str::Join(rest, " "));
  r->processes.push_back(std::move(p));
}

struct PsRun {
  int status = 0;
  std::string out, err;
};

Result<PsRun> RunPs(const std::vector<std::string>& args) {
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) < 0) return Error::Sys("ps: pipe");
  unique_fd rd(pipefd[0]), wr(pipefd[1]);
  int errfd = ::memfd_create("ps-stderr", MFD_CLOEXEC);
  if (errfd < 0) return Error::Sys("ps: memfd_create");
  unique_fd err(errfd);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, wr.get(), 1);
  posix_spawn_file_actions_adddup2(&fa, err.get(), 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("ps"));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "ps", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return Error::Sys("ps: exec", rc);
  wr.reset();
  PsRun r;
  auto out = fs::ReadFd(rd.get());
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!out.ok()) return std::move(out).error().Context("ps: read output");
  r.out = std::move(*out);
  r.status = status;
  ::lseek(err.get(), 0, SEEK_SET);
  auto e = fs::ReadFd(err.get());
  if (e.ok()) r.err = std::move(*e);
  return r;
}

bool Succeeded(const PsRun& r) { return WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0; }

// Go's exec error text for a failed ps: its first stderr line, else the status.
std::string Failure(const PsRun& r) {
  std::string first = r.err.substr(0, r.err.find('\n'));
  if (!first.empty()) return first;
  if (WIFEXITED(r.status)) return "exit status " + std::to_string(WEXITSTATUS(r.status));
  if (WIFSIGNALED(r.status)) return std::string("signal: ") + strsignal(WTERMSIG(r.status));
  return "ps failed";
}

}  // namespace

Status ValidatePsArgs(const std::string& ps_args) {
  static const std::regex kRenamedPid(R"(\s+(\S*)=\s*(PID\S*))");
  for (std::sregex_iterator it(ps_args.begin(), ps_args.end(), kRenamedPid), end; it != end; ++it) {
    std::string k = (*it)[1], v = (*it)[2];
    if (k != "pid") return Error::Invalid("specifying \"" + k + "=" + v + "\" is not allowed");
  }
  return Ok();
}

Result<TopResult> ParsePsOutput(std::string_view output, const std::vector<pid_t>& pids) {
  std::vector<std::string> lines = str::Split(output, '\n');
  TopResult r;
  r.titles = FieldsAscii(lines.empty() ? "" : lines[0]);
  auto pid_col = std::find(r.titles.begin(), r.titles.end(), "PID");
  if (pid_col == r.titles.end()) return Error::Internal("Couldn't find PID field in ps output");
  size_t pid_index = static_cast<size_t>(pid_col - r.titles.begin());
  bool last_was_ours = false;  // thread lines ("-" as PID) follow their process
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    std::vector<std::string> fields = FieldsAscii(lines[i]);
    std::string pid_field = pid_index < fields.size() ? fields[pid_index] : "";
    if (pid_field == "-") {
      if (last_was_ours) Append(&r, fields);
      continue;
    }
    auto p = str::ParseInt(pid_field);
    if (!p || pid_field.empty() || pid_field[0] == '+')
      return Error::Internal("Unexpected pid '" + pid_field + "': strconv.Atoi: parsing \"" +
                             pid_field + "\": invalid syntax");
    last_was_ours = std::find(pids.begin(), pids.end(), static_cast<pid_t>(*p)) != pids.end();
    if (last_was_ours) Append(&r, fields);
  }
  return r;
}

Result<TopResult> Top(const std::vector<pid_t>& pids, const std::string& ps_args) {
  std::string a = ps_args.empty() ? "-ef" : ps_args;
  BERTH_TRY(ValidatePsArgs(a));
  std::vector<std::string> args;
  for (const std::string& s : str::Split(a, ' '))
    if (!s.empty()) args.push_back(s);
  std::string q = "-q";
  for (size_t i = 0; i < pids.size(); ++i) q += (i ? "," : "") + std::to_string(pids[i]);
  std::vector<std::string> with_q = args;
  with_q.push_back(q);
  PsRun run = BERTH_TRY(RunPs(with_q));
  if (!Succeeded(run)) {
    // Some options (such as f) do not go with -q: retry without it.
    run = BERTH_TRY(RunPs(args));
    if (!Succeeded(run)) return Error::Internal("ps: " + Failure(run));
  }
  return ParsePsOutput(run.out, pids);
}

nlohmann::json ToJson(const TopResult& top) {
  // No process is Go's nil slice: null.
  nlohmann::json procs = top.processes.empty() ? nlohmann::json(nullptr) : nlohmann::json(top.processes);
  return {{"Titles", top.titles}, {"Processes", procs}};
}

}  // namespace berth::engine::stats

#include "runtime/hooks.h"

#include <fcntl.h>
#include <signal.h>

#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "sys/syscalls.h"

namespace berth::runtime {
namespace {

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

Status RunHook(const oci::Hook& hook, const std::string& state_json, const char* phase) {
  std::string what = std::string(phase) + " hook " + hook.path;
  int pipefd[2];
  if (::pipe2(pipefd, O_CLOEXEC) < 0) return Error::Sys(what + ": pipe");
  unique_fd rd(pipefd[0]), wr(pipefd[1]);
  std::vector<std::string> args = hook.args;
  if (args.empty()) args.push_back(hook.path);
  auto argv = CStrings(args);
  auto envp = CStrings(hook.env);
  pid_t pid = ::fork();
  if (pid < 0) return Error::Sys(what + ": fork");
  if (pid == 0) {
    ::dup2(rd.get(), STDIN_FILENO);
    ::execve(hook.path.c_str(), argv.data(), envp.data());
    ::dprintf(STDERR_FILENO, "%s: exec: %s\n", what.c_str(), strerror(errno));
    ::_exit(127);
  }
  rd.reset();
  // A hook that does not read its stdin must not fail the write.
  ::signal(SIGPIPE, SIG_IGN);
  (void)fs::WriteAll(wr.get(), state_json);
  wr.reset();
  if (hook.timeout && *hook.timeout > 0) {
    auto pidfd = sys::PidfdOpen(pid);
    if (pidfd.ok()) {
      auto done = sys::WaitPidfd(pidfd->get(), std::chrono::seconds(*hook.timeout));
      if (done.ok() && !*done) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        return Error(Code::kUnavailable,
                     what + ": timed out after " + std::to_string(*hook.timeout) + "s");
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error::Sys(what + ": waitpid");
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Ok();
  if (WIFSIGNALED(status))
    return Error::Internal(what + ": killed by signal " + std::to_string(WTERMSIG(status)));
  return Error::Internal(what + ": exit status " + std::to_string(WEXITSTATUS(status)));
}

}  // namespace

Status RunHooks(const std::vector<oci::Hook>& hooks, const std::string& state_json,
                const char* phase) {
  for (const auto& h : hooks) BERTH_TRY(RunHook(h, state_json, phase));
  return Ok();
}

void RunHooksWarnOnly(const std::vector<oci::Hook>& hooks, const std::string& state_json,
                      const char* phase) {
  for (const auto& h : hooks) {
    auto st = RunHook(h, state_json, phase);
    if (!st.ok()) log::Warn("{}", st.error().message());
  }
}

}  // namespace berth::runtime

#include "cli/credential_helper.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "base/unique_fd.h"

namespace berth::cli::credhelper {
namespace {

constexpr std::string_view kNotFound = "credentials not found in native keychain";

// The helper's path on PATH, or "" (as exec.LookPath).
std::string LookPath(const std::string& file) {
  const char* path = std::getenv("PATH");
  for (const std::string& dir : str::Split(path && *path ? path : "/usr/local/bin:/usr/bin:/bin", ':')) {
    std::string p = (dir.empty() ? "." : dir) + "/" + file;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

}  // namespace

Result<std::string> Run(const std::string& name, const std::string& action, const std::string& input) {
  std::string prog = "docker-credential-" + name;
  std::string path = LookPath(prog);
  if (path.empty())
    return Error(Code::kNotFound, "exec: \"" + prog + "\": executable file not found in $PATH");
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Error::Sys("pipe");
  unique_fd in_r(in[0]), in_w(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) return Error::Sys("pipe");
  unique_fd out_r(out[0]), out_w(out[1]);
  pid_t pid = ::fork();
  if (pid < 0) return Error::Sys("fork " + prog);
  if (pid == 0) {
    ::dup2(in_r.get(), 0);
    ::dup2(out_w.get(), 1);
    ::execl(path.c_str(), prog.c_str(), action.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  in_r.reset();
  out_w.reset();
  // The input is small (a URL or one JSON object): it fits the pipe.
  size_t off = 0;
  while (off < input.size()) {
    ssize_t n = ::write(in_w.get(), input.data() + off, input.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;  // the helper exited without reading: its status tells
    off += static_cast<size_t>(n);
  }
  in_w.reset();
  std::string output;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(out_r.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    output.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string text(str::Trim(output));
    if (text.empty()) text = prog + " " + action + ": exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return Error(Code::kUnavailable, text);
  }
  return output;
}

Result<std::optional<Creds>> Get(const std::string& name, const std::string& server_url) {
  auto out = Run(name, "get", server_url);
  if (!out.ok()) {
    if (out.error().message().find(kNotFound) != std::string::npos) return std::optional<Creds>();
    return Error(out.error().code(), "error getting credentials - err: " + out.error().message());
  }
  auto j = nlohmann::json::parse(*out, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error::Invalid("error getting credentials - docker-credential-" + name + ": invalid JSON output");
  Creds c;
  c.server_url = j.value("ServerURL", server_url);
  c.username = j.value("Username", "");
  c.secret = j.value("Secret", "");
  if (c.username.empty() && c.secret.empty()) return std::optional<Creds>();
  return std::optional<Creds>(c);
}

Status Store(const std::string& name, const Creds& c) {
  nlohmann::json j = {{"ServerURL", c.server_url}, {"Username", c.username}, {"Secret", c.secret}};
  auto out = Run(name, "store", j.dump());
  if (!out.ok()) return Error(out.error().code(), "error storing credentials - err: " + out.error().message());
  return Ok();
}

Status Erase(const std::string& name, const std::string& server_url) {
  auto out = Run(name, "erase", server_url);
  if (!out.ok() && out.error().message().find(kNotFound) == std::string::npos)
    return Error(out.error().code(), "error erasing credentials - err: " + out.error().message());
  return Ok();
}

}  // namespace berth::cli::credhelper

#include "runtime/cgroups/cgroupfs.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"

namespace berth::cgroups {

Status ExecuteWrite(const std::string& dir, const Write& w) {
  std::string what = "cgroups: " + w.resource;
  auto missing = [&](const std::string& why) -> Status {
    if (w.if_missing == IfMissing::kWarn) {
      log::Warn("{}: {}; ignored", what, why);
      return Ok();
    }
    return Error(Code::kNotImplemented, what + ": " + why);
  };
  if (dir.empty()) return missing("controller \"" + w.controller + "\" is not available");
  for (const auto& c : w.choices) {
    // Write first; a missing file (ENOENT) moves on to the next choice.
    // No stat before each write: this runs for every container start.
    Status st = fs::WriteFile(fs::Join(dir, c.file), c.value);
    if (!st.ok() && st.error().err() == ENOENT) continue;
    return std::move(st).Context(what + "=" + c.value);
  }
  std::vector<std::string> files;
  for (const auto& c : w.choices) files.push_back(fs::Join(dir, c.file));
  return missing(str::Join(files, " or ") + " does not exist");
}

Result<std::vector<pid_t>> ReadProcs(const std::string& dir, bool recursive) {
  std::vector<pid_t> pids;
  auto text = fs::ReadFile(fs::Join(dir, "cgroup.procs"));
  if (!text.ok()) {
    if (text.error().err() == ENOENT && !fs::Exists(dir)) return pids;
    return std::move(text).error();
  }
  for (const auto& line : str::Split(*text, '\n'))
    if (auto v = str::ParseInt(str::Trim(line))) pids.push_back(static_cast<pid_t>(*v));
  if (!recursive) return pids;
  auto names = fs::ListDir(dir);
  if (!names.ok()) {
    if (names.error().err() == ENOENT) return pids;
    return std::move(names).error();
  }
  for (const auto& name : *names) {
    std::string sub = fs::Join(dir, name);
    if (!fs::IsDir(sub)) continue;
    auto more = BERTH_TRY(ReadProcs(sub, true));
    pids.insert(pids.end(), more.begin(), more.end());
  }
  return pids;
}

Status WriteProc(const std::string& dir, pid_t pid) {
  return fs::WriteFile(fs::Join(dir, "cgroup.procs"), std::to_string(pid));
}

namespace {

// Child cgroups of dir (cgroupfs reports directories in d_type, so no stat).
Result<std::vector<std::string>> ChildCgroups(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return Error::Sys("opendir " + dir);
  std::vector<std::string> out;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_type != DT_DIR || !std::strcmp(e->d_name, ".") || !std::strcmp(e->d_name, ".."))
      continue;
    out.push_back(fs::Join(dir, e->d_name));
  }
  ::closedir(d);
  return out;
}

Status RemoveTree(const std::string& dir, std::chrono::steady_clock::time_point deadline) {
  // The common case is a leaf with no processes: one rmdir. Only a busy
  // directory is searched for child cgroups (listing costs more than the
  // rmdir itself; this is on the container start/stop path).
  auto sleep = std::chrono::milliseconds(1);
  bool children_removed = false;
  for (;;) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return Ok();
    if (errno != EBUSY && errno != ENOTEMPTY) return Error::Sys("rmdir " + dir);
    if (!children_removed) {
      auto children = ChildCgroups(dir);
      if (!children.ok()) {
        if (children.error().err() == ENOENT) return Ok();
        return std::move(children).error();
      }
      for (const auto& sub : *children) BERTH_TRY(RemoveTree(sub, deadline));
      children_removed = true;
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline) return Error::Sys("rmdir " + dir, EBUSY);
    std::this_thread::sleep_for(sleep);
    sleep = std::min(sleep * 2, std::chrono::milliseconds(20));
  }
}

}  // namespace

Status RemoveCgroup(const std::string& dir, std::chrono::milliseconds timeout) {
  return RemoveTree(dir, std::chrono::steady_clock::now() + timeout);
}

Status WaitUntil(const std::function<Result<bool>()>& check, std::chrono::milliseconds timeout,
                 const std::string& what) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto sleep = std::chrono::milliseconds(1);
  for (;;) {
    if (BERTH_TRY(check())) return Ok();
    if (std::chrono::steady_clock::now() >= deadline)
      return Error(Code::kUnavailable, what + ": timed out after " +
                                           std::to_string(timeout.count()) + " ms");
    std::this_thread::sleep_for(sleep);
    sleep = std::min(sleep * 2, std::chrono::milliseconds(20));
  }
}

Status SignalAll(const std::vector<pid_t>& pids, int sig) {
  for (pid_t pid : pids)
    if (pid > 0 && ::kill(pid, sig) < 0 && errno != ESRCH)
      return Error::Sys("kill " + std::to_string(pid));
  return Ok();
}

std::map<std::string, uint64_t> ParseFlatKeyed(const std::string& text) {
  std::map<std::string, uint64_t> out;
  for (const auto& line : str::Split(text, '\n')) {
    bool found = false;
    auto [key, value] = str::Cut(str::Trim(line), ' ', &found);
    if (!found) continue;
    if (auto v = str::ParseUint(str::Trim(value))) out[key] = *v;
  }
  return out;
}

Result<uint64_t> ReadUint(const std::string& path) {
  std::string text = BERTH_TRY(fs::ReadFile(path));
  std::string_view v = str::Trim(text);
  if (v == "max") return uint64_t{0};
  auto n = str::ParseUint(v);
  if (!n) return Error::Internal("parse " + path + ": \"" + std::string(v) + "\" is not a number");
  return *n;
}

}  // namespace berth::cgroups

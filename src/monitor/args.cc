#include "monitor/args.h"

#include <cstdlib>

namespace berth::monitor {
namespace {

Result<int64_t> ParseNumber(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  errno = 0;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end || errno || n < 0) return Error::Invalid(flag + ": bad number \"" + v + "\"");
  return static_cast<int64_t>(n);
}

}  // namespace

Result<Options> ParseArgs(const std::vector<std::string>& args) {
  if (args.empty() || (args[0] != "container" && args[0] != "exec"))
    return Error::Invalid("usage: berth-monitor container|exec --id ID ...");
  Options o;
  SpawnOptions& s = o.spawn;
  s.exec_mode = args[0] == "exec";
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> Result<std::string> {
      if (i + 1 >= args.size()) return Error::Invalid(a + " needs a value");
      return args[++i];
    };
    auto path = [&](std::string& out) -> Status {
      out = BERTH_TRY(value());
      if (out.empty() || out[0] != '/') return Error::Invalid(a + ": not an absolute path: " + out);
      return Ok();
    };
    if (a == "--id") {
      s.id = BERTH_TRY(value());
    } else if (a == "--bundle") {
      BERTH_TRY(path(s.bundle));
    } else if (a == "--runtime-root") {
      BERTH_TRY(path(s.runtime_root));
    } else if (a == "--dir") {
      BERTH_TRY(path(s.dir));
    } else if (a == "--process") {
      BERTH_TRY(path(s.process_file));
    } else if (a == "--log-path") {
      BERTH_TRY(path(s.log_path));
    } else if (a == "--rootfs-mount") {
      BERTH_TRY(path(s.rootfs_mount));
    } else if (a == "--log-max-size") {
      s.log_max_size = BERTH_TRY(ParseNumber(a, BERTH_TRY(value())));
    } else if (a == "--log-max-files") {
      s.log_max_files = static_cast<int>(BERTH_TRY(ParseNumber(a, BERTH_TRY(value()))));
      if (s.log_max_files < 1) return Error::Invalid("--log-max-files must be at least 1");
    } else if (a == "--ready-fd") {
      o.ready_fd = static_cast<int>(BERTH_TRY(ParseNumber(a, BERTH_TRY(value()))));
    } else if (a == "--tty") {
      s.tty = true;
    } else if (a == "--stdin") {
      s.stdin_open = true;
    } else if (a == "--stdin-once") {
      s.stdin_once = true;
    } else {
      return Error::Invalid("unknown option " + a);
    }
  }
  if (s.id.empty()) return Error::Invalid("--id is required");
  if (s.runtime_root.empty()) return Error::Invalid("--runtime-root is required");
  if (s.dir.empty()) return Error::Invalid("--dir is required");
  if (!s.exec_mode && s.bundle.empty()) return Error::Invalid("--bundle is required");
  if (s.exec_mode && s.process_file.empty()) return Error::Invalid("--process is required");
  return o;
}

std::vector<std::string> BuildArgs(const SpawnOptions& o, int ready_fd) {
  std::vector<std::string> a = {o.exec_mode ? "exec" : "container", "--id", o.id};
  auto add = [&](const char* flag, const std::string& v) {
    if (v.empty()) return;
    a.push_back(flag);
    a.push_back(v);
  };
  if (!o.exec_mode) add("--bundle", o.bundle);
  add("--runtime-root", o.runtime_root);
  add("--dir", o.dir);
  if (o.exec_mode) add("--process", o.process_file);
  add("--log-path", o.log_path);
  if (!o.log_path.empty() && o.log_max_size > 0) {
    add("--log-max-size", std::to_string(o.log_max_size));
    add("--log-max-files", std::to_string(o.log_max_files));
  }
  if (o.tty) a.push_back("--tty");
  if (o.stdin_open) a.push_back("--stdin");
  if (o.stdin_once) a.push_back("--stdin-once");
  add("--rootfs-mount", o.rootfs_mount);
  if (ready_fd >= 0) add("--ready-fd", std::to_string(ready_fd));
  return a;
}

}  // namespace berth::monitor

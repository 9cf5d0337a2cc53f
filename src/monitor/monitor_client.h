// berthd's side of berth-monitor (docs/containers.md): spawning a monitor
// and speaking its protocol on <dir>/monitor.sock.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/unique_fd.h"

namespace berth::monitor {

struct SpawnOptions {
  std::string monitor_path;  // the berth-monitor binary
  bool exec_mode = false;    // false: "container", true: "exec"
  std::string id;            // container ID
  std::string bundle;        // container mode
  std::string runtime_root;
  std::string dir;           // the monitor's dir (monitor.sock, exit.json, ...)
  std::string process_file;  // exec mode: an oci::Process JSON file
  std::string log_path;      // "" = no log (--log-driver none, and execs)
  int64_t log_max_size = 0;  // bytes; 0 = no rotation
  int log_max_files = 1;
  bool tty = false;
  bool stdin_open = false;
  bool stdin_once = false;
  std::string rootfs_mount;  // unmounted by the monitor when the process ends
};

// Starts a monitor and returns once it listens (its "ready <pid>" line);
// the monitor's pid. kUnavailable with the monitor's own message when it
// failed to start.
Result<pid_t> Spawn(const SpawnOptions& o);

// The end of a process, from exit.json.
struct ExitStatus {
  int exit_code = 0;
  bool oom_killed = false;
  pid_t pid = 0;
  std::string started_at;   // RFC 3339 nano
  std::string finished_at;  // RFC 3339 nano
  std::string error;        // why start failed, or ""
};
// Reads <dir>/exit.json; kNotFound when it is not there (yet).
Result<ExitStatus> ReadExit(const std::string& dir);

// What `start` answered.
struct Started {
  pid_t pid = 0;
};
// An error from `start` carries the exit code the container gets
// (127/126/128) in Error::err() and the runtime's message.
Result<Started> Start(const std::string& dir);

// Opens an attach stream: the returned fd is the raw connection after the
// "ok" line (read: framed or raw output; write: stdin; shutdown(SHUT_WR)
// ends stdin).
Result<unique_fd> Attach(const std::string& dir, bool in, bool out, bool err);

Status Resize(const std::string& dir, int height, int width);
Status Signal(const std::string& dir, int sig);  // exec mode

// Sends "wait" and returns the connected fd without reading the answer, so
// one thread can poll many of them; the fd becomes readable when the
// process has ended. ConnectFailed (kUnavailable) when no monitor listens.
Result<unique_fd> WaitConnection(const std::string& dir);
// Reads the "exit <code>" line from a WaitConnection fd (blocking).
Result<int> ReadWaitReply(int fd);

// True when a monitor answers on <dir>/monitor.sock.
bool Alive(const std::string& dir);

}  // namespace berth::monitor

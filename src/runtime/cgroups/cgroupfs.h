// Operations on cgroupfs directories shared by the v1 and v2 managers.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "base/error.h"
#include "runtime/cgroups/resources.h"

namespace berth::cgroups {

// Carries out one planned Write in dir (the controller's directory; empty when
// the controller is not available). Missing controller/file: per if_missing.
Status ExecuteWrite(const std::string& dir, const Write& w);

// Every pid in dir/cgroup.procs, and in its descendants when recursive.
Result<std::vector<pid_t>> ReadProcs(const std::string& dir, bool recursive);
// Moves pid into dir (dir/cgroup.procs).
Status WriteProc(const std::string& dir, pid_t pid);

// rmdir dir and every cgroup below it, deepest first. A missing dir is fine;
// EBUSY (processes still exiting) is retried until timeout.
Status RemoveCgroup(const std::string& dir, std::chrono::milliseconds timeout);

// Polls check until it yields true, the deadline passes (kUnavailable error
// naming what) or it fails. Sleeps grow from 1 ms to 20 ms.
Status WaitUntil(const std::function<Result<bool>()>& check, std::chrono::milliseconds timeout,
                 const std::string& what);

// Sends sig to every pid; ESRCH (already gone) is not an error.
Status SignalAll(const std::vector<pid_t>& pids, int sig);

// "key value" lines (memory.stat, cpu.stat, cgroup.events).
std::map<std::string, uint64_t> ParseFlatKeyed(const std::string& text);
// A file holding one number; "max" reads as 0 (no limit).
Result<uint64_t> ReadUint(const std::string& path);

}  // namespace berth::cgroups

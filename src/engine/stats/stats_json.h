// `docker stats` and `docker top` for one container: Docker's JSON from the
// runtime's cgroup figures (GET /containers/{id}/stats) and the host's ps
// output filtered to the container's processes (GET /containers/{id}/top).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "runtime/cgroups/cgroups.h"

namespace berth::engine::stats {

// One line of blkio_stats.*_recursive: "8:0 Read 4096".
struct BlkioEntry {
  uint64_t major = 0;
  uint64_t minor = 0;
  std::string op;
  uint64_t value = 0;
  friend bool operator==(const BlkioEntry&, const BlkioEntry&) = default;
};

// One reading of a container, taken at `read`.
struct Sample {
  std::string read;  // RFC 3339 nano, UTC
  bool v2 = false;   // cgroup v2: memory_stats has no max_usage, v2 stat keys
  cgroups::Stats cg;
  std::map<std::string, uint64_t> memory_stat;  // memory.stat as the kernel lists it
  uint64_t memory_failcnt = 0;                  // v1 memory.failcnt
  std::vector<BlkioEntry> io_service_bytes;     // blkio_stats.io_service_bytes_recursive
  std::vector<BlkioEntry> io_serviced;          // blkio_stats.io_serviced_recursive
  uint64_t throttle_periods = 0, throttled_periods = 0, throttled_time_ns = 0;
  uint64_t system_cpu_ns = 0;  // the host's CPU time (/proc/stat), as Docker counts it
  uint32_t online_cpus = 0;
  uint64_t machine_memory = 0;  // the limit shown when the container has none
};

// Parsers for the files a sample comes from (exposed for tests).
std::map<std::string, uint64_t> ParseFlatKeyed(std::string_view text);  // "key value" lines
std::vector<BlkioEntry> ParseBlkioV1(std::string_view text);  // "8:0 Read 4096"; totals dropped
// io.stat (v2): "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." → Docker's v2
// mapping: bytes and ios as "read"/"write" entries.
void ParseIoStatV2(std::string_view text, std::vector<BlkioEntry>* bytes,
                   std::vector<BlkioEntry>* ios);
// /proc/stat's "cpu" line: user+nice+system+idle+iowait+irq+softirq ticks,
// in nanoseconds (moby's getSystemCPUUsage).
Result<uint64_t> ParseSystemCpu(std::string_view proc_stat, uint64_t clock_ticks_per_sec);

// Fills what GetStats does not give (memory.stat, failcnt, blkio, cpu
// throttling) from the cgroup's directories, as Manager::Paths lists them.
Status ReadCgroupFiles(const std::vector<std::pair<std::string, std::string>>& paths, bool v2,
                       Sample* s);

// A full sample: GetStats + ReadCgroupFiles + /proc/stat, online CPUs and
// the machine's memory, stamped now.
Result<Sample> Collect(cgroups::Manager& manager);

// Docker's stats object. prev is the previous sample (nullptr for the first:
// preread is Go's zero time and precpu_stats zeros). name is "/name".
nlohmann::json ToJson(const Sample& cur, const Sample* prev, const std::string& name,
                      const std::string& id);

// ---------------------------------------------------------------------------
// top

struct TopResult {
  std::vector<std::string> titles;
  std::vector<std::vector<std::string>> processes;
};
// moby's check that no column other than pid is renamed to PID:
// kInvalidArgument `specifying "user=PID" is not allowed`.
Status ValidatePsArgs(const std::string& ps_args);
// Keeps the header and the lines whose PID column is one of pids (a thread
// line, "-" as PID, goes with the process above it); the last column takes
// the rest of the line. Errors: "Couldn't find PID field in ps output",
// "Unexpected pid 'x': strconv.Atoi: parsing \"x\": invalid syntax".
Result<TopResult> ParsePsOutput(std::string_view output, const std::vector<pid_t>& pids);
// Runs the host's ps with ps_args ("" means "-ef") split on spaces, first
// with "-q<pids>" appended, then, if ps refuses that, without (as moby).
// A failing ps is kInternal "ps: <its first stderr line>".
Result<TopResult> Top(const std::vector<pid_t>& pids, const std::string& ps_args);
nlohmann::json ToJson(const TopResult& top);

}  // namespace berth::engine::stats

// `stats` numbers as docker's CLI derives them from one GET
// /containers/{id}/stats sample (which carries the previous CPU reading in
// precpu_stats), and the rows of its formatter (formatter_stats.go).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/format.h"
#include "client/client.h"

namespace berth::cli {

struct StatsEntry {
  std::string container;  // as the user named it, or the ID
  std::string name;       // "/web" as the daemon sends it
  std::string id;
  double cpu_percent = 0, memory = 0, memory_limit = 0, memory_percent = 0;
  double net_rx = 0, net_tx = 0, block_read = 0, block_write = 0;
  uint64_t pids = 0;
  bool invalid = false;  // no sample (an error): the cells read "--"
};

// (cpu delta / system delta) * online CPUs * 100; online CPUs falls back
// to the length of percpu_usage; 0 unless both deltas are positive.
double CpuPercent(const client::json& sample);
// usage minus the inactive file cache (total_inactive_file on cgroup v1,
// inactive_file on v2) when smaller than usage.
double MemUsageNoCache(const client::json& memory_stats);
// Fills the numbers of e from one sample.
void ApplySample(const client::json& sample, StatsEntry* e);

// docker's stats rows: Container, ID, Name, CPUPerc, MemUsage, MemPerc,
// NetIO, BlockIO, PIDs.
Rows StatsRows(const std::vector<StatsEntry>& entries, bool trunc);

}  // namespace berth::cli

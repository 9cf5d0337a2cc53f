#include "engine/stats/stats_json.h"

#include <sys/sysinfo.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fs.h"
#include "base/strings.h"

namespace berth::engine::stats {
namespace {

using nlohmann::json;

std::vector<std::string> Fields(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

bool ParseDevice(const std::string& dev, uint64_t* major, uint64_t* minor) {
  bool found = false;
  auto [a, b] = str::Cut(dev, ':', &found);
  auto ma = str::ParseUint(a), mi = str::ParseUint(b);
  if (!found || !ma || !mi) return false;
  *major = *ma;
  *minor = *mi;
  return true;
}

// The directory of the hierarchy holding controller ("" is the v2 tree).
std::string DirOf(const std::vector<std::pair<std::string, std::string>>& paths, bool v2,
                  std::string_view controller) {
  for (const auto& [hierarchy, dir] : paths) {
    if (v2) {
      if (hierarchy.empty()) return dir;
      continue;
    }
    for (const std::string& c : str::Split(hierarchy, ','))
      if (c == controller) return dir;
  }
  return "";
}

// The file's text, or "" when the controller or the file is missing.
std::string ReadOptional(const std::string& dir, const char* file) {
  if (dir.empty()) return "";
  auto text = fs::ReadFile(fs::Join(dir, file));
  return text.ok() ? *text : "";
}

json Blkio(const std::vector<BlkioEntry>& entries) {
  if (entries.empty()) return nullptr;
  json out = json::array();
  for (const BlkioEntry& e : entries)
    out.push_back({{"major", e.major}, {"minor", e.minor}, {"op", e.op}, {"value", e.value}});
  return out;
}

json CpuJson(const Sample* s) {
  json usage = {{"total_usage", s ? s->cg.cpu.usage_ns : 0},
                {"usage_in_kernelmode", s ? s->cg.cpu.system_ns : 0},
                {"usage_in_usermode", s ? s->cg.cpu.user_ns : 0}};
  if (s && !s->cg.cpu.percpu_ns.empty()) usage["percpu_usage"] = s->cg.cpu.percpu_ns;
  json out = {{"cpu_usage", usage},
              {"throttling_data",
               {{"periods", s ? s->throttle_periods : 0},
                {"throttled_periods", s ? s->throttled_periods : 0},
                {"throttled_time", s ? s->throttled_time_ns : 0}}}};
  if (s && s->system_cpu_ns) out["system_cpu_usage"] = s->system_cpu_ns;
  if (s && s->online_cpus) out["online_cpus"] = s->online_cpus;
  return out;
}

json MemoryJson(const Sample& s) {
  json out = json::object();
  if (s.cg.memory.usage) out["usage"] = s.cg.memory.usage;
  if (!s.v2 && s.cg.memory.max_usage) out["max_usage"] = s.cg.memory.max_usage;
  if (!s.memory_stat.empty()) out["stats"] = s.memory_stat;
  if (s.memory_failcnt) out["failcnt"] = s.memory_failcnt;
  // No limit (or one above the machine's memory) shows the machine's memory.
  uint64_t limit = s.cg.memory.limit;
  if (s.machine_memory && (limit == 0 || limit > s.machine_memory)) limit = s.machine_memory;
  if (limit) out["limit"] = limit;
  return out;
}

}  // namespace

std::map<std::string, uint64_t> ParseFlatKeyed(std::string_view text) {
  std::map<std::string, uint64_t> out;
  for (const std::string& line : str::Split(text, '\n')) {
    std::vector<std::string> f = Fields(line);
    if (f.size() != 2) continue;
    if (auto v = str::ParseUint(f[1])) out[f[0]] = *v;
  }
  return out;
}

std::vector<BlkioEntry> ParseBlkioV1(std::string_view text) {
  std::vector<BlkioEntry> out;
  for (const std::string& line : str::Split(text, '\n')) {
    std::vector<std::string> f = Fields(line);
    if (f.size() != 3) continue;  // the last line, "Total N", has no device
    BlkioEntry e;
    auto v = str::ParseUint(f[2]);
    if (!v || !ParseDevice(f[0], &e.major, &e.minor)) continue;
    e.op = f[1];
    e.value = *v;
    out.push_back(std::move(e));
  }
  return out;
}

void ParseIoStatV2(std::string_view text, std::vector<BlkioEntry>* bytes,
                   std::vector<BlkioEntry>* ios) {
  for (const std::string& line : str::Split(text, '\n')) {
    std::vector<std::string> f = Fields(line);
    if (f.size() < 2) continue;
    uint64_t major = 0, minor = 0;
    if (!ParseDevice(f[0], &major, &minor)) continue;
    for (size_t i = 1; i < f.size(); ++i) {
      auto [k, v] = str::Cut(f[i], '=');
      auto n = str::ParseUint(v);
      if (!n) continue;
      if (k == "rbytes") bytes->push_back({major, minor, "read", *n});
      if (k == "wbytes") bytes->push_back({major, minor, "write", *n});
      if (k == "rios") ios->push_back({major, minor, "read", *n});
      if (k == "wios") ios->push_back({major, minor, "write", *n});
    }
  }
}

Result<uint64_t> ParseSystemCpu(std::string_view proc_stat, uint64_t clock_ticks_per_sec) {
  for (const std::string& line : str::Split(proc_stat, '\n')) {
    std::vector<std::string> f = Fields(line);
    if (f.empty() || f[0] != "cpu") continue;
    if (f.size() < 8) return Error::Invalid("invalid number of cpu fields");
    uint64_t ticks = 0;
    for (size_t i = 1; i < 8; ++i) {
      auto v = str::ParseUint(f[i]);
      if (!v) return Error::Invalid("Unable to convert value " + f[i] + " to int");
      ticks += *v;
    }
    if (clock_ticks_per_sec == 0) clock_ticks_per_sec = 100;
    // Ticks to ns without overflowing: whole seconds, then the remainder.
    return ticks / clock_ticks_per_sec * 1000000000ull +
           ticks % clock_ticks_per_sec * 1000000000ull / clock_ticks_per_sec;
  }
  return Error::Invalid("invalid stat format. Error trying to parse the '/proc/stat' file");
}

Status ReadCgroupFiles(const std::vector<std::pair<std::string, std::string>>& paths, bool v2,
                       Sample* s) {
  std::string mem = DirOf(paths, v2, "memory");
  s->memory_stat = ParseFlatKeyed(ReadOptional(mem, "memory.stat"));
  std::string cpu = DirOf(paths, v2, "cpu");
  auto cpu_stat = ParseFlatKeyed(ReadOptional(cpu, "cpu.stat"));
  s->throttle_periods = cpu_stat["nr_periods"];
  s->throttled_periods = cpu_stat["nr_throttled"];
  s->throttled_time_ns = v2 ? cpu_stat["throttled_usec"] * 1000 : cpu_stat["throttled_time"];
  if (v2) {
    ParseIoStatV2(ReadOptional(DirOf(paths, v2, "io"), "io.stat"), &s->io_service_bytes,
                  &s->io_serviced);
  } else {
    auto failcnt = str::ParseUint(str::Trim(ReadOptional(mem, "memory.failcnt")));
    s->memory_failcnt = failcnt.value_or(0);
    std::string blkio = DirOf(paths, v2, "blkio");
    s->io_service_bytes = ParseBlkioV1(ReadOptional(blkio, "blkio.throttle.io_service_bytes_recursive"));
    s->io_serviced = ParseBlkioV1(ReadOptional(blkio, "blkio.throttle.io_serviced_recursive"));
  }
  return Ok();
}

Result<Sample> Collect(cgroups::Manager& manager) {
  Sample s;
  s.read = NowRfc3339Nano();
  s.v2 = manager.version() == cgroups::Version::kV2;
  s.cg = BERTH_TRY_CTX(manager.GetStats(), "stats");
  BERTH_TRY_CTX(ReadCgroupFiles(manager.Paths(), s.v2, &s), "stats");
  std::string proc_stat = BERTH_TRY_CTX(fs::ReadFile("/proc/stat"), "stats");
  s.system_cpu_ns = BERTH_TRY_CTX(
      ParseSystemCpu(proc_stat, static_cast<uint64_t>(::sysconf(_SC_CLK_TCK))), "stats");
  long cpus = ::sysconf(_SC_NPROCESSORS_ONLN);
  s.online_cpus = cpus > 0 ? static_cast<uint32_t>(cpus) : 0;
  struct sysinfo si;
  if (::sysinfo(&si) == 0) s.machine_memory = uint64_t{si.totalram} * si.mem_unit;
  return s;
}

json ToJson(const Sample& cur, const Sample* prev, const std::string& name, const std::string& id) {
  json pids = json::object();
  if (cur.cg.pids.current) pids["current"] = cur.cg.pids.current;
  if (cur.cg.pids.limit) pids["limit"] = cur.cg.pids.limit;
  json blkio = {{"io_service_bytes_recursive", Blkio(cur.io_service_bytes)},
                {"io_serviced_recursive", Blkio(cur.io_serviced)},
                {"io_queue_recursive", nullptr},
                {"io_service_time_recursive", nullptr},
                {"io_wait_time_recursive", nullptr},
                {"io_merged_recursive", nullptr},
                {"io_time_recursive", nullptr},
                {"sectors_recursive", nullptr}};
  return {{"read", cur.read},
          {"preread", prev ? prev->read : "0001-01-01T00:00:00Z"},
          {"pids_stats", pids},
          {"blkio_stats", blkio},
          {"num_procs", 0},
          {"storage_stats", json::object()},
          {"cpu_stats", CpuJson(&cur)},
          {"precpu_stats", CpuJson(prev)},
          {"memory_stats", MemoryJson(cur)},
          {"name", name},
          {"id", id}};
}

}  // namespace berth::engine::stats

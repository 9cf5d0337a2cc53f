#include "cli/cmd/container/stats_calc.h"

#include <fmt/format.h>

#include "cli/units.h"

namespace berth::cli {
namespace {

double Num(const client::json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

const client::json& Obj(const client::json& j, const char* key) {
  static const client::json kEmpty = client::json::object();
  if (!j.is_object()) return kEmpty;
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : kEmpty;
}

}  // namespace

double CpuPercent(const client::json& sample) {
  const auto& cpu = Obj(sample, "cpu_stats");
  const auto& pre = Obj(sample, "precpu_stats");
  double cpu_delta = Num(Obj(cpu, "cpu_usage"), "total_usage") - Num(Obj(pre, "cpu_usage"), "total_usage");
  double system_delta = Num(cpu, "system_cpu_usage") - Num(pre, "system_cpu_usage");
  double online = Num(cpu, "online_cpus");
  if (online == 0) {
    const auto& usage = Obj(cpu, "cpu_usage");
    auto it = usage.find("percpu_usage");
    if (it != usage.end() && it->is_array()) online = static_cast<double>(it->size());
  }
  if (system_delta > 0 && cpu_delta > 0) return cpu_delta / system_delta * online * 100.0;
  return 0;
}

double MemUsageNoCache(const client::json& memory_stats) {
  double usage = Num(memory_stats, "usage");
  const auto& stats = Obj(memory_stats, "stats");
  if (stats.contains("total_inactive_file")) {
    double v = Num(stats, "total_inactive_file");
    if (v < usage) return usage - v;
  }
  double v = Num(stats, "inactive_file");
  if (v < usage) return usage - v;
  return usage;
}

void ApplySample(const client::json& sample, StatsEntry* e) {
  if (sample.is_object()) {
    if (auto it = sample.find("name"); it != sample.end() && it->is_string()) e->name = it->get<std::string>();
    if (auto it = sample.find("id"); it != sample.end() && it->is_string()) e->id = it->get<std::string>();
  }
  e->cpu_percent = CpuPercent(sample);
  const auto& mem = Obj(sample, "memory_stats");
  e->memory = MemUsageNoCache(mem);
  e->memory_limit = Num(mem, "limit");
  e->memory_percent = e->memory_limit != 0 ? e->memory / e->memory_limit * 100.0 : 0;
  e->block_read = e->block_write = 0;
  const auto& blkio = Obj(sample, "blkio_stats");
  if (auto it = blkio.find("io_service_bytes_recursive"); it != blkio.end() && it->is_array()) {
    for (const auto& b : *it) {
      std::string op = b.value("op", "");
      if (op.empty()) continue;
      if (op[0] == 'r' || op[0] == 'R') e->block_read += Num(b, "value");
      else if (op[0] == 'w' || op[0] == 'W') e->block_write += Num(b, "value");
    }
  }
  e->net_rx = e->net_tx = 0;
  for (auto& [name, n] : Obj(sample, "networks").items()) {
    (void)name;
    e->net_rx += Num(n, "rx_bytes");
    e->net_tx += Num(n, "tx_bytes");
  }
  e->pids = static_cast<uint64_t>(Num(Obj(sample, "pids_stats"), "current"));
  e->invalid = false;
}

Rows StatsRows(const std::vector<StatsEntry>& entries, bool trunc) {
  Rows rows;
  rows.type_name = "*container.statsContext";
  rows.header = {{"BlockIO", "BLOCK I/O"}, {"CPUPerc", "CPU %"},  {"Container", "CONTAINER"},
                 {"ID", "CONTAINER ID"},   {"MemPerc", "MEM %"},  {"MemUsage", "MEM USAGE / LIMIT"},
                 {"Name", "NAME"},         {"NetIO", "NET I/O"}, {"PIDs", "PIDS"}};
  for (const auto& e : entries) {
    tmpl::Value r = tmpl::Value::object();
    auto io = [](double a, double b) {
      return HumanSizeWithPrecision(a, 3) + " / " + HumanSizeWithPrecision(b, 3);
    };
    r["BlockIO"] = e.invalid ? "--" : io(e.block_read, e.block_write);
    r["CPUPerc"] = e.invalid ? "--" : fmt::format("{:.2f}%", e.cpu_percent);
    r["Container"] = e.container;
    r["ID"] = trunc ? TruncateID(e.id) : e.id;
    r["MemPerc"] = e.invalid ? "--" : fmt::format("{:.2f}%", e.memory_percent);
    r["MemUsage"] = e.invalid ? "-- / --" : BytesSize(e.memory) + " / " + BytesSize(e.memory_limit);
    r["Name"] = e.name.size() > 1 ? e.name.substr(1) : "--";
    r["NetIO"] = e.invalid ? "--" : io(e.net_rx, e.net_tx);
    r["PIDs"] = e.invalid ? "--" : std::to_string(e.pids);
    rows.rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace berth::cli

// berth update, and its value parsers (manage_update.h).
#include "cli/cmd/container/manage_update.h"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "base/strings.h"
#include "cli/cmd/container/manage_commands.h"

namespace berth::cli {

Result<int64_t> RamInBytes(const std::string& s) {
  // ^(\d+(\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$
  auto bad = [&]() { return Error::Invalid(fmt::format("invalid size: '{}'", s)); };
  size_t i = 0;
  auto digits = [&]() {
    size_t st = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    return i > st;
  };
  if (!digits()) return bad();
  while (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return bad();
  }
  std::string num = s.substr(0, i);
  if (i < s.size() && s[i] == ' ') ++i;
  double mult = 1;
  if (i < s.size()) {
    switch (std::tolower(static_cast<unsigned char>(s[i]))) {
      case 'k': mult = 1024.0; break;
      case 'm': mult = 1024.0 * 1024; break;
      case 'g': mult = 1024.0 * 1024 * 1024; break;
      case 't': mult = 1024.0 * 1024 * 1024 * 1024; break;
      case 'p': mult = 1024.0 * 1024 * 1024 * 1024 * 1024; break;
      default: mult = 0;
    }
    if (mult != 0) ++i;
    else mult = 1;
  }
  if (i < s.size() && (s[i] == 'i' || s[i] == 'I')) ++i;
  if (i < s.size() && (s[i] == 'b' || s[i] == 'B')) ++i;
  if (i != s.size()) return bad();
  // strconv.ParseFloat of "1.2.3" fails as Go's does.
  if (std::count(num.begin(), num.end(), '.') > 1)
    return Error::Invalid(fmt::format("strconv.ParseFloat: parsing \"{}\": invalid syntax", num));
  return static_cast<int64_t>(std::strtod(num.c_str(), nullptr) * mult);
}

Result<int64_t> ParseNanoCpus(const std::string& s) {
  auto bad = [&]() { return Error::Invalid(fmt::format("failed to parse {} as a rational number", s)); };
  std::string_view v = s;
  bool neg = false;
  if (!v.empty() && (v[0] == '-' || v[0] == '+')) {
    neg = v[0] == '-';
    v.remove_prefix(1);
  }
  auto [ip, fp] = str::Cut(v, '.');
  if (ip.empty() && fp.empty()) return bad();
  for (char c : ip + fp)
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad();
  while (!fp.empty() && fp.back() == '0') fp.pop_back();
  if (fp.size() > 9) return Error::Invalid("value is too precise");
  fp.resize(9, '0');
  int64_t whole = ip.empty() ? 0 : str::ParseInt(ip).value_or(0);
  int64_t nano = whole * 1000000000 + str::ParseInt(fp).value_or(0);
  return neg ? -nano : nano;
}

Result<client::json> ParseRestartPolicy(const std::string& s) {
  client::json p = {{"Name", ""}, {"MaximumRetryCount", 0}};
  if (s.empty()) return p;
  auto parts = str::Split(s, ':');
  // As docker 20.10's client: the name is the daemon's to check.
  if (parts.size() > 2) return Error::Invalid("invalid restart policy format");
  if (parts.size() == 2) {
    auto n = str::ParseInt(parts[1]);
    if (!n) return Error::Invalid("maximum retry count must be an integer");
    p["MaximumRetryCount"] = *n;
  }
  p["Name"] = parts[0];
  return p;
}

namespace {

struct Options {
  std::string blkio_weight, cpus, cpuset_cpus, cpuset_mems, memory, memory_reservation, memory_swap,
      kernel_memory, restart;
  int64_t cpu_period = 0, cpu_quota = 0, cpu_rt_period = 0, cpu_rt_runtime = 0, cpu_shares = 0, pids_limit = 0;
};

Flag& Bytes(FlagSet& f, std::string* p, const char* name, char shorthand, const char* usage, bool swap = false) {
  Flag& fl = f.String(p, name, shorthand, "", usage);
  fl.type_name = "bytes";
  fl.validate = [swap](std::string& v) -> Status {
    if (swap && v == "-1") return Ok();
    auto r = RamInBytes(v);
    if (!r.ok()) return std::move(r).error();
    return Ok();
  };
  return fl;
}

}  // namespace

std::unique_ptr<Command> NewUpdateCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = "update [OPTIONS] CONTAINER [CONTAINER...]";
  cmd->short_desc = "Update configuration of one or more containers";
  cmd->min_args = 1;
  auto& f = cmd->flags;
  Flag& bw = f.String(&o->blkio_weight, "blkio-weight", 0, "",
                      "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)");
  bw.type_name = "uint16";
  bw.validate = [](std::string& v) -> Status {
    auto n = str::ParseUint(v);
    if (!n) return Error::Invalid(fmt::format("strconv.ParseUint: parsing \"{}\": invalid syntax", v));
    if (*n > 65535) return Error::Invalid(fmt::format("strconv.ParseUint: parsing \"{}\": value out of range", v));
    return Ok();
  };
  f.Int(&o->cpu_period, "cpu-period", 0, 0, "Limit CPU CFS (Completely Fair Scheduler) period");
  f.Int(&o->cpu_quota, "cpu-quota", 0, 0, "Limit CPU CFS (Completely Fair Scheduler) quota");
  f.Int(&o->cpu_rt_period, "cpu-rt-period", 0, 0, "Limit the CPU real-time period in microseconds");
  f.Int(&o->cpu_rt_runtime, "cpu-rt-runtime", 0, 0, "Limit the CPU real-time runtime in microseconds");
  f.Int(&o->cpu_shares, "cpu-shares", 'c', 0, "CPU shares (relative weight)");
  Flag& cpus = f.String(&o->cpus, "cpus", 0, "", "Number of CPUs");
  cpus.type_name = "decimal";
  cpus.validate = [](std::string& v) -> Status {
    auto r = ParseNanoCpus(v);
    if (!r.ok()) return std::move(r).error();
    return Ok();
  };
  f.String(&o->cpuset_cpus, "cpuset-cpus", 0, "", "CPUs in which to allow execution (0-3, 0,1)");
  f.String(&o->cpuset_mems, "cpuset-mems", 0, "", "MEMs in which to allow execution (0-3, 0,1)");
  Bytes(f, &o->kernel_memory, "kernel-memory", 0, "Kernel memory limit");
  Bytes(f, &o->memory, "memory", 'm', "Memory limit");
  Bytes(f, &o->memory_reservation, "memory-reservation", 0, "Memory soft limit");
  Bytes(f, &o->memory_swap, "memory-swap", 0,
        "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", true);
  f.Int(&o->pids_limit, "pids-limit", 0, 0, "Tune container pids limit (set -1 for unlimited)");
  f.String(&o->restart, "restart", 0, "", "Restart policy to apply when a container exits");
  Command* self = cmd.get();
  cmd->run = [o, self](Cli& cli, const std::vector<std::string>& args) -> Status {
    const FlagSet& fs = self->flags;
    static const char* kNames[] = {"blkio-weight", "cpu-period", "cpu-quota", "cpu-rt-period", "cpu-rt-runtime",
                                   "cpu-shares", "cpus", "cpuset-cpus", "cpuset-mems", "kernel-memory",
                                   "memory", "memory-reservation", "memory-swap", "pids-limit", "restart"};
    bool any = false;
    for (const char* n : kNames) any = any || fs.Changed(n);
    if (!any) return Error::Invalid("you must provide one or more flags when using this command");
    client::json body = client::json::object();
    auto bytes = [](const std::string& v) -> int64_t {
      if (v == "-1") return -1;
      auto r = RamInBytes(v);
      return r.ok() ? *r : 0;
    };
    if (fs.Changed("blkio-weight")) body["BlkioWeight"] = str::ParseUint(o->blkio_weight).value_or(0);
    if (fs.Changed("cpu-period")) body["CpuPeriod"] = o->cpu_period;
    if (fs.Changed("cpu-quota")) body["CpuQuota"] = o->cpu_quota;
    if (fs.Changed("cpu-rt-period")) body["CpuRealtimePeriod"] = o->cpu_rt_period;
    if (fs.Changed("cpu-rt-runtime")) body["CpuRealtimeRuntime"] = o->cpu_rt_runtime;
    if (fs.Changed("cpu-shares")) body["CpuShares"] = o->cpu_shares;
    if (fs.Changed("cpus")) body["NanoCpus"] = *ParseNanoCpus(o->cpus);
    if (fs.Changed("cpuset-cpus")) body["CpusetCpus"] = o->cpuset_cpus;
    if (fs.Changed("cpuset-mems")) body["CpusetMems"] = o->cpuset_mems;
    if (fs.Changed("kernel-memory")) body["KernelMemory"] = bytes(o->kernel_memory);
    if (fs.Changed("memory")) body["Memory"] = bytes(o->memory);
    if (fs.Changed("memory-reservation")) body["MemoryReservation"] = bytes(o->memory_reservation);
    if (fs.Changed("memory-swap")) body["MemorySwap"] = bytes(o->memory_swap);
    if (fs.Changed("pids-limit")) body["PidsLimit"] = o->pids_limit;
    if (fs.Changed("restart")) body["RestartPolicy"] = BERTH_TRY(ParseRestartPolicy(o->restart));
    auto* c = BERTH_TRY(cli.Client());
    std::vector<std::string> warns, errs;
    for (const auto& name : args) {
      auto r = client::ContainerUpdate(*c, name, body);
      if (!r.ok()) {
        errs.push_back(r.error().message());
        continue;
      }
      cli.Out(name + "\n");
      if (auto w = r->find("Warnings"); w != r->end() && w->is_array())
        for (const auto& s : *w)
          if (s.is_string()) warns.push_back(s.get<std::string>());
    }
    if (!warns.empty()) cli.Out(str::Join(warns, "\n") + "\n");
    if (!errs.empty()) return Error::Internal(str::Join(errs, "\n"));
    return Ok();
  };
  return cmd;
}

}  // namespace berth::cli

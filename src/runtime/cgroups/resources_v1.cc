// PlanV1 and the helpers shared by both versions.
#include <cstdint>
#include <limits>

#include "base/log.h"
#include "runtime/cgroups/resources.h"

namespace berth::cgroups {
namespace {

std::string DevNum(int64_t n) { return n < 0 ? "*" : std::to_string(n); }

Write One(std::string controller, std::string file, std::string value, std::string resource,
          IfMissing if_missing = IfMissing::kError) {
  return Write{std::move(controller), {{std::move(file), std::move(value)}}, std::move(resource),
               if_missing};
}

std::string MajMin(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

bool Unset(const std::optional<uint64_t>& v) {
  return !v || *v == std::numeric_limits<uint64_t>::max();
}

void PlanMemoryV1(const oci::MemoryResources& m, std::vector<Write>& out) {
  bool limit = m.limit && *m.limit != 0;
  bool swap = m.swap && *m.swap != 0;
  if (limit) out.push_back(One("memory", "memory.limit_in_bytes", std::to_string(*m.limit),
                               "memory.limit"));
  if (swap) {
    // memsw missing means swap accounting is off: the container may swap,
    // which is what it would do without the setting.
    out.push_back(One("memory", "memory.memsw.limit_in_bytes", std::to_string(*m.swap),
                      "memory.swap", IfMissing::kWarn));
  } else if (limit && *m.limit == -1) {
    // memsw must stay >= limit: lift it with the limit.
    out.push_back(
        One("memory", "memory.memsw.limit_in_bytes", "-1", "memory.swap", IfMissing::kWarn));
  }
  if (m.reservation && *m.reservation != 0)
    out.push_back(One("memory", "memory.soft_limit_in_bytes", std::to_string(*m.reservation),
                      "memory.reservation"));
  if (!Unset(m.swappiness))
    out.push_back(
        One("memory", "memory.swappiness", std::to_string(*m.swappiness), "memory.swappiness"));
  if (m.disable_oom_killer && *m.disable_oom_killer)
    out.push_back(One("memory", "memory.oom_control", "1", "memory.disableOOMKiller"));
  if ((m.kernel && *m.kernel != 0) || (m.kernel_tcp && *m.kernel_tcp != 0))
    log::Warn("cgroups: memory.kernel and memory.kernelTCP are deprecated and ignored");
}

void PlanCpuV1(const oci::CpuResources& c, std::vector<Write>& out) {
  if (c.shares && *c.shares != 0)
    out.push_back(One("cpu", "cpu.shares", std::to_string(*c.shares), "cpu.shares"));
  if (c.period && *c.period != 0)
    out.push_back(One("cpu", "cpu.cfs_period_us", std::to_string(*c.period), "cpu.period"));
  if (c.quota && *c.quota != 0)
    out.push_back(
        One("cpu", "cpu.cfs_quota_us", std::to_string(*c.quota < 0 ? -1 : *c.quota), "cpu.quota"));
  if (c.realtime_period && *c.realtime_period != 0)
    out.push_back(One("cpu", "cpu.rt_period_us", std::to_string(*c.realtime_period),
                      "cpu.realtimePeriod"));
  if (c.realtime_runtime && *c.realtime_runtime != 0)
    out.push_back(One("cpu", "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime),
                      "cpu.realtimeRuntime"));
  if (!c.cpus.empty()) out.push_back(One("cpuset", "cpuset.cpus", c.cpus, "cpu.cpus"));
  if (!c.mems.empty()) out.push_back(One("cpuset", "cpuset.mems", c.mems, "cpu.mems"));
}

void PlanBlkioV1(const oci::BlockIoResources& b, std::vector<Write>& out) {
  if (b.weight && *b.weight != 0) {
    std::string w = std::to_string(*b.weight);
    out.push_back(Write{"blkio", {{"blkio.weight", w}, {"blkio.bfq.weight", w}}, "blockIO.weight"});
  }
  if (b.leaf_weight && *b.leaf_weight != 0)
    out.push_back(One("blkio", "blkio.leaf_weight", std::to_string(*b.leaf_weight),
                      "blockIO.leafWeight", IfMissing::kWarn));
  for (const auto& d : b.weight_device) {
    if (d.weight) {
      std::string v = MajMin(d.major, d.minor) + " " + std::to_string(*d.weight);
      out.push_back(Write{"blkio",
                          {{"blkio.weight_device", v}, {"blkio.bfq.weight_device", v}},
                          "blockIO.weightDevice"});
    }
    if (d.leaf_weight)
      out.push_back(One("blkio", "blkio.leaf_weight_device",
                        MajMin(d.major, d.minor) + " " + std::to_string(*d.leaf_weight),
                        "blockIO.weightDevice.leafWeight", IfMissing::kWarn));
  }
  auto throttle = [&](const std::vector<oci::ThrottleDevice>& list, const char* file,
                      const char* resource) {
    for (const auto& t : list)
      out.push_back(One("blkio", std::string("blkio.throttle.") + file,
                        MajMin(t.major, t.minor) + " " + std::to_string(t.rate), resource));
  };
  throttle(b.throttle_read_bps_device, "read_bps_device", "blockIO.throttleReadBpsDevice");
  throttle(b.throttle_write_bps_device, "write_bps_device", "blockIO.throttleWriteBpsDevice");
  throttle(b.throttle_read_iops_device, "read_iops_device", "blockIO.throttleReadIOPSDevice");
  throttle(b.throttle_write_iops_device, "write_iops_device", "blockIO.throttleWriteIOPSDevice");
}

}  // namespace

Result<DeviceRule> NormalizeDeviceRule(const oci::DeviceCgroup& in) {
  DeviceRule r;
  r.allow = in.allow;
  if (in.type.empty() || in.type == "a") {
    r.type = 'a';
  } else if (in.type == "c" || in.type == "b") {
    r.type = in.type[0];
  } else {
    return Error::Invalid("devices: invalid type \"" + in.type + "\" (want a, c or b)");
  }
  r.major = in.major && *in.major >= 0 ? *in.major : -1;
  r.minor = in.minor && *in.minor >= 0 ? *in.minor : -1;
  std::string access = in.access.empty() ? "rwm" : in.access;
  for (char ch : access)
    if (ch != 'r' && ch != 'w' && ch != 'm')
      return Error::Invalid("devices: invalid access \"" + in.access + "\" (want a subset of rwm)");
  for (char ch : std::string("rwm"))
    if (access.find(ch) != std::string::npos) r.access.push_back(ch);
  return r;
}

std::vector<std::string> DeviceRuleLines(const DeviceRule& r) {
  if (r.type == 'a') {
    if (r.major < 0 && r.minor < 0 && r.access == "rwm") return {"a"};
    DeviceRule c = r, b = r;
    c.type = 'c';
    b.type = 'b';
    return {DeviceRuleLines(c)[0], DeviceRuleLines(b)[0]};
  }
  return {std::string(1, r.type) + " " + DevNum(r.major) + ":" + DevNum(r.minor) + " " + r.access};
}

Status ValidatePageSize(const std::string& size) {
  size_t digits = 0;
  while (digits < size.size() && size[digits] >= '0' && size[digits] <= '9') ++digits;
  std::string unit = size.substr(digits);
  if (digits == 0 || (unit != "KB" && unit != "MB" && unit != "GB"))
    return Error::Invalid("hugepageLimits: invalid page size \"" + size + "\" (want e.g. 2MB)");
  return Ok();
}

Result<std::vector<Write>> PlanV1(const oci::Resources& r) {
  std::vector<Write> out;
  if (!r.unified.empty())
    return Error(Code::kNotImplemented,
                 "unified: cgroup v2 resources given, but the host uses cgroup v1");
  if (r.memory) {
    const auto& m = *r.memory;
    if (m.limit && m.swap && *m.limit > 0 && *m.swap > 0 && *m.swap < *m.limit)
      return Error::Invalid("memory.swap (" + std::to_string(*m.swap) +
                            ") must be >= memory.limit (" + std::to_string(*m.limit) + ")");
    if (m.swappiness && !Unset(m.swappiness) && *m.swappiness > 100)
      return Error::Invalid("memory.swappiness " + std::to_string(*m.swappiness) +
                            " is out of range 0-100");
    PlanMemoryV1(m, out);
  }
  if (r.cpu) PlanCpuV1(*r.cpu, out);
  if (r.pids)
    out.push_back(One("pids", "pids.max",
                      r.pids->limit > 0 ? std::to_string(r.pids->limit) : "max", "pids.limit",
                      r.pids->limit > 0 ? IfMissing::kError : IfMissing::kWarn));
  if (r.block_io) PlanBlkioV1(*r.block_io, out);
  for (const auto& h : r.hugepage_limits) {
    BERTH_TRY(ValidatePageSize(h.page_size));
    out.push_back(One("hugetlb", "hugetlb." + h.page_size + ".limit_in_bytes",
                      std::to_string(h.limit), "hugepageLimits", IfMissing::kWarn));
  }
  if (!r.devices.empty()) {
    out.push_back(One("devices", "devices.deny", "a", "devices"));
    for (const auto& d : r.devices) {
      DeviceRule rule = BERTH_TRY(NormalizeDeviceRule(d));
      for (auto& line : DeviceRuleLines(rule))
        out.push_back(One("devices", rule.allow ? "devices.allow" : "devices.deny", line,
                          "devices"));
    }
  }
  return out;
}

}  // namespace berth::cgroups

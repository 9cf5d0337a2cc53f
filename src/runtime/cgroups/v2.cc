#include "runtime/cgroups/v2.h"

#include <signal.h>

#include <set>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
#include "runtime/cgroups/cgroupfs.h"
#include "runtime/cgroups/device_filter_v2.h"

namespace berth::cgroups {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kFreezeTimeout{5000};
constexpr milliseconds kRemoveTimeout{5000};

Result<std::set<std::string>> ReadControllers(const std::string& file) {
  std::string text = BERTH_TRY(fs::ReadFile(file));
  std::set<std::string> out;
  for (const auto& c : str::Split(str::Trim(text), ' '))
    if (!c.empty()) out.insert(c);
  return out;
}

Result<uint64_t> ReadStat(const std::string& dir, const char* file) {
  std::string path = fs::Join(dir, file);
  if (!fs::Exists(path)) return uint64_t{0};
  return ReadUint(path);
}

class V2Manager : public Manager {
 public:
  V2Manager(std::string mount_point, std::string dir)
      : mount_point_(std::move(mount_point)), dir_(std::move(dir)) {}

  Version version() const override { return Version::kV2; }

  Status Create() override { return fs::MkdirAll(dir_).Context("create cgroup"); }

  Status Apply(const oci::Resources& r) override {
    auto plan = BERTH_TRY_CTX(PlanV2(r), "apply cgroup resources");
    std::set<std::string> needed;
    for (const auto& w : plan)
      if (!w.controller.empty()) needed.insert(w.controller);
    auto available = BERTH_TRY_CTX(
        ReadControllers(fs::Join(mount_point_, "cgroup.controllers")), "apply cgroup resources");
    std::set<std::string> usable;
    for (const auto& c : needed)
      if (available.count(c)) usable.insert(c);
    BERTH_TRY_CTX(EnableControllers(usable), "apply cgroup resources");
    for (const auto& w : plan) {
      bool ok = w.controller.empty() || usable.count(w.controller);
      BERTH_TRY(ExecuteWrite(ok ? dir_ : "", w));
    }
    if (!r.devices.empty()) {
      std::vector<DeviceRule> rules;
      for (const auto& d : r.devices) rules.push_back(BERTH_TRY(NormalizeDeviceRule(d)));
      BERTH_TRY_CTX(AttachDeviceFilter(dir_, rules), "cgroups: devices");
    }
    return Ok();
  }

  Status AddProcess(pid_t pid) override {
    return WriteProc(dir_, pid).Context("add pid " + std::to_string(pid) + " to cgroup");
  }

  Result<std::vector<pid_t>> Pids() override {
    return ReadProcs(dir_, true).Context("list cgroup processes");
  }

  Status Freeze() override { return SetFrozen(true); }
  Status Thaw() override { return SetFrozen(false); }

  Result<bool> Frozen() override {
    if (!fs::Exists(dir_)) return false;
    std::string events = fs::Join(dir_, "cgroup.events");
    auto kv = ParseFlatKeyed(BERTH_TRY(fs::ReadFile(events)));
    return kv.count("frozen") && kv["frozen"] == 1;
  }

  Status KillAll(int sig) override {
    std::string kill_file = fs::Join(dir_, "cgroup.kill");
    if (sig == SIGKILL && fs::Exists(kill_file))
      return fs::WriteFile(kill_file, "1").Context("kill cgroup processes");
    bool freezer = fs::Exists(fs::Join(dir_, "cgroup.freeze"));
    bool was_frozen = freezer && BERTH_TRY(Frozen());
    bool froze = false;
    if (freezer && !was_frozen) {
      if (auto st = Freeze(); st.ok())
        froze = true;
      else
        log::Warn("cgroups: kill: {}; signalling without freezing", st.error().message());
    }
    auto pids = Pids();
    Status st = pids.ok() ? SignalAll(*pids, sig) : Status(std::move(pids).error());
    if (froze) {
      if (auto t = Thaw(); !t.ok() && st.ok()) st = std::move(t);
    }
    return std::move(st).Context("kill cgroup processes");
  }

  Status Destroy() override {
    return RemoveCgroup(dir_, kRemoveTimeout).Context("destroy cgroup");
  }

  std::vector<std::pair<std::string, std::string>> Paths() const override {
    return {{"", dir_}};
  }

  Result<Stats> GetStats() override {
    Stats s;
    s.memory.usage = BERTH_TRY(ReadStat(dir_, "memory.current"));
    s.memory.max_usage = BERTH_TRY(ReadStat(dir_, "memory.peak"));
    s.memory.limit = BERTH_TRY(ReadStat(dir_, "memory.max"));
    if (fs::Exists(fs::Join(dir_, "memory.stat"))) {
      auto stat = ParseFlatKeyed(BERTH_TRY(fs::ReadFile(fs::Join(dir_, "memory.stat"))));
      s.memory.cache = stat["file"];
    }
    if (fs::Exists(fs::Join(dir_, "cpu.stat"))) {
      auto stat = ParseFlatKeyed(BERTH_TRY(fs::ReadFile(fs::Join(dir_, "cpu.stat"))));
      s.cpu.usage_ns = stat["usage_usec"] * 1000;
      s.cpu.user_ns = stat["user_usec"] * 1000;
      s.cpu.system_ns = stat["system_usec"] * 1000;
    }
    s.pids.current = BERTH_TRY(ReadStat(dir_, "pids.current"));
    s.pids.limit = BERTH_TRY(ReadStat(dir_, "pids.max"));
    return s;
  }

 private:
  // Enables each controller in cgroup.subtree_control of every ancestor of
  // dir_, from the mount point down, where the child does not have it yet.
  Status EnableControllers(const std::set<std::string>& controllers) {
    if (controllers.empty()) return Ok();
    std::string rel = dir_.substr(mount_point_.size());
    std::string cur = mount_point_;
    for (const auto& part : str::Split(rel, '/')) {
      if (part.empty()) continue;
      std::string child = fs::Join(cur, part);
      auto have = BERTH_TRY(ReadControllers(fs::Join(child, "cgroup.controllers")));
      for (const auto& c : controllers) {
        if (have.count(c)) continue;
        std::string file = fs::Join(cur, "cgroup.subtree_control");
        BERTH_TRY_CTX(fs::WriteFile(file, "+" + c), "enable controller " + c);
      }
      cur = child;
    }
    return Ok();
  }

  Status SetFrozen(bool frozen) {
    std::string file = fs::Join(dir_, "cgroup.freeze");
    if (!fs::Exists(file))
      return Error(Code::kNotImplemented, file + " does not exist (kernel without cgroup v2 freezer)");
    const char* what = frozen ? "freeze" : "thaw";
    BERTH_TRY_CTX(fs::WriteFile(file, frozen ? "1" : "0"), what);
    Status st = WaitUntil([&]() -> Result<bool> { return BERTH_TRY(Frozen()) == frozen; },
                          kFreezeTimeout, std::string(what) + " " + dir_);
    if (!st.ok() && frozen) (void)fs::WriteFile(file, "0");
    return st;
  }

  std::string mount_point_;
  std::string dir_;
};

}  // namespace

std::unique_ptr<Manager> NewV2Manager(std::string mount_point, std::string dir) {
  return std::make_unique<V2Manager>(std::move(mount_point), std::move(dir));
}

}  // namespace berth::cgroups

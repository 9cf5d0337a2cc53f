#include "runtime/cgroups/v1.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
#include "runtime/cgroups/cgroupfs.h"

namespace berth::cgroups {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kFreezeTimeout{5000};
constexpr milliseconds kRemoveTimeout{5000};
// Values at or above this read back from *limit_in_bytes mean "unlimited".
constexpr uint64_t kV1Unlimited = uint64_t{1} << 62;

// mkdir each level below mount_point; levels with an empty cpuset.cpus or
// cpuset.mems get the parent's, or no task could ever join them.
Status CreateCpuset(const std::string& mount_point, const std::string& dir) {
  std::string rel = dir.substr(mount_point.size());
  std::string parent = mount_point, cur = mount_point;
  for (const auto& part : str::Split(rel, '/')) {
    if (part.empty()) continue;
    cur = fs::Join(cur, part);
    if (::mkdir(cur.c_str(), 0755) < 0 && errno != EEXIST) return Error::Sys("mkdir " + cur);
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
      std::string value = BERTH_TRY(fs::ReadFile(fs::Join(cur, file)));
      if (!str::Trim(value).empty()) continue;
      std::string from = BERTH_TRY(fs::ReadFile(fs::Join(parent, file)));
      BERTH_TRY(fs::WriteFile(fs::Join(cur, file), str::Trim(from)));
    }
    parent = cur;
  }
  return Ok();
}

bool Has(const Hierarchy& h, std::string_view controller) {
  return std::find(h.controllers.begin(), h.controllers.end(), controller) != h.controllers.end();
}

bool IsFile(const Write& w, std::string_view file) {
  return !w.choices.empty() && w.choices[0].file == file;
}

// A missing file reads as 0; other failures are errors.
Result<uint64_t> ReadStat(const std::string& dir, const char* file) {
  std::string path = fs::Join(dir, file);
  if (dir.empty() || !fs::Exists(path)) return uint64_t{0};
  return ReadUint(path);
}

class V1Manager : public Manager {
 public:
  V1Manager(std::vector<V1Dir> dirs, std::optional<std::string> unified)
      : dirs_(std::move(dirs)), unified_(std::move(unified)) {}

  Version version() const override { return Version::kV1; }

  Status Create() override {
    for (const auto& d : dirs_) {
      Status st = Has(d.hierarchy, "cpuset") ? CreateCpuset(d.hierarchy.mount_point, d.dir)
                                            : fs::MkdirAll(d.dir);
      if (!st.ok()) return std::move(st).error().Context("create cgroup");
    }
    if (unified_) {
      if (auto st = fs::MkdirAll(*unified_); !st.ok())
        log::Warn("cgroups: create cgroup in the unified hierarchy: {}", st.error().message());
    }
    return Ok();
  }

  Status Apply(const oci::Resources& r) override {
    auto plan = BERTH_TRY_CTX(PlanV1(r), "apply cgroup resources");
    for (size_t i = 0; i < plan.size(); ++i) {
      const Write& w = plan[i];
      std::string dir = DirFor(w.controller);
      Status st = ExecuteWrite(dir, w);
      // Raising memory.limit above the current memsw limit needs memsw first.
      if (!st.ok() && st.error().err() == EINVAL && IsFile(w, "memory.limit_in_bytes") &&
          i + 1 < plan.size() && IsFile(plan[i + 1], "memory.memsw.limit_in_bytes")) {
        BERTH_TRY(ExecuteWrite(dir, plan[i + 1]));
        st = ExecuteWrite(dir, w);
        ++i;
      }
      if (!st.ok()) return st;
    }
    return Ok();
  }

  Status AddProcess(pid_t pid) override {
    for (const auto& d : dirs_)
      BERTH_TRY_CTX(WriteProc(d.dir, pid), "add pid " + std::to_string(pid) + " to cgroup");
    if (unified_) {
      if (auto st = WriteProc(*unified_, pid); !st.ok())
        log::Warn("cgroups: add pid {} to the unified hierarchy: {}", pid, st.error().message());
    }
    return Ok();
  }

  Result<std::vector<pid_t>> Pids() override {
    for (const char* c : {"pids", "freezer", "memory", "cpu"}) {
      std::string dir = DirFor(c);
      if (!dir.empty()) return ReadProcs(dir, true).Context("list cgroup processes");
    }
    if (dirs_.empty()) return Error(Code::kNotImplemented, "no cgroup v1 hierarchy");
    return ReadProcs(dirs_[0].dir, true).Context("list cgroup processes");
  }

  Status Freeze() override {
    std::string dir = BERTH_TRY(FreezerDir());
    std::string state = fs::Join(dir, "freezer.state");
    BERTH_TRY_CTX(fs::WriteFile(state, "FROZEN"), "freeze");
    int polls = 0;
    Status st = WaitUntil(
        [&]() -> Result<bool> {
          if (BERTH_TRY(State(dir)) == "FROZEN") return true;
          // A task that was busy in the kernel can leave it FREEZING: ask again.
          if (++polls % 10 == 0) BERTH_TRY(fs::WriteFile(state, "FROZEN"));
          return false;
        },
        kFreezeTimeout, "freeze " + state);
    if (!st.ok()) (void)fs::WriteFile(state, "THAWED");
    return st;
  }

  Status Thaw() override {
    std::string dir = BERTH_TRY(FreezerDir());
    std::string state = fs::Join(dir, "freezer.state");
    BERTH_TRY_CTX(fs::WriteFile(state, "THAWED"), "thaw");
    return WaitUntil([&]() -> Result<bool> { return BERTH_TRY(State(dir)) == "THAWED"; },
                     kFreezeTimeout, "thaw " + state);
  }

  Result<bool> Frozen() override {
    std::string dir = DirFor("freezer");
    if (dir.empty() || !fs::Exists(dir)) return false;
    return BERTH_TRY(State(dir)) == "FROZEN";
  }

  Status KillAll(int sig) override {
    bool freezer = !DirFor("freezer").empty() && fs::Exists(DirFor("freezer"));
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
    if (froze || (was_frozen && sig == SIGKILL)) {
      if (auto t = Thaw(); !t.ok() && st.ok()) st = std::move(t);
    }
    return std::move(st).Context("kill cgroup processes");
  }

  Status Destroy() override {
    Status first;
    auto remove = [&](const std::string& dir) {
      if (auto st = RemoveCgroup(dir, kRemoveTimeout); !st.ok() && first.ok())
        first = std::move(st).Context("destroy cgroup");
    };
    for (const auto& d : dirs_) remove(d.dir);
    if (unified_) remove(*unified_);
    return first;
  }

  std::vector<std::pair<std::string, std::string>> Paths() const override {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& d : dirs_) out.emplace_back(d.hierarchy.name, d.dir);
    if (unified_) out.emplace_back("", *unified_);
    return out;
  }

  Result<Stats> GetStats() override {
    Stats s;
    std::string mem = DirFor("memory");
    s.memory.usage = BERTH_TRY(ReadStat(mem, "memory.usage_in_bytes"));
    s.memory.max_usage = BERTH_TRY(ReadStat(mem, "memory.max_usage_in_bytes"));
    s.memory.limit = BERTH_TRY(ReadStat(mem, "memory.limit_in_bytes"));
    if (s.memory.limit >= kV1Unlimited) s.memory.limit = 0;
    if (!mem.empty() && fs::Exists(fs::Join(mem, "memory.stat"))) {
      auto stat = ParseFlatKeyed(BERTH_TRY(fs::ReadFile(fs::Join(mem, "memory.stat"))));
      s.memory.cache = stat.count("total_cache") ? stat["total_cache"] : stat["cache"];
    }
    std::string acct = DirFor("cpuacct");
    s.cpu.usage_ns = BERTH_TRY(ReadStat(acct, "cpuacct.usage"));
    if (!acct.empty() && fs::Exists(fs::Join(acct, "cpuacct.usage_percpu"))) {
      std::string text = BERTH_TRY(fs::ReadFile(fs::Join(acct, "cpuacct.usage_percpu")));
      for (const auto& v : str::Split(str::Trim(text), ' '))
        if (auto n = str::ParseUint(v)) s.cpu.percpu_ns.push_back(*n);
    }
    if (!acct.empty() && fs::Exists(fs::Join(acct, "cpuacct.stat"))) {
      auto stat = ParseFlatKeyed(BERTH_TRY(fs::ReadFile(fs::Join(acct, "cpuacct.stat"))));
      uint64_t ns_per_tick = 1000000000ull / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
      s.cpu.user_ns = stat["user"] * ns_per_tick;
      s.cpu.system_ns = stat["system"] * ns_per_tick;
    }
    std::string pids = DirFor("pids");
    s.pids.current = BERTH_TRY(ReadStat(pids, "pids.current"));
    s.pids.limit = BERTH_TRY(ReadStat(pids, "pids.max"));
    return s;
  }

 private:
  std::string DirFor(std::string_view controller) const {
    for (const auto& d : dirs_)
      if (Has(d.hierarchy, controller)) return d.dir;
    return "";
  }

  Result<std::string> FreezerDir() const {
    std::string dir = DirFor("freezer");
    if (dir.empty())
      return Error(Code::kNotImplemented, "the freezer cgroup controller is not available");
    return dir;
  }

  static Result<std::string> State(const std::string& dir) {
    std::string text = BERTH_TRY(fs::ReadFile(fs::Join(dir, "freezer.state")));
    return std::string(str::Trim(text));
  }

  std::vector<V1Dir> dirs_;
  std::optional<std::string> unified_;
};

}  // namespace

std::unique_ptr<Manager> NewV1Manager(std::vector<V1Dir> dirs,
                                      std::optional<std::string> unified) {
  return std::make_unique<V1Manager>(std::move(dirs), std::move(unified));
}

}  // namespace berth::cgroups

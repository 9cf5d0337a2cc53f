#include "runtime/cgroups/layout.h"

#include <algorithm>
#include <set>

#include "base/fs.h"
#include "base/strings.h"

namespace berth::cgroups {
namespace {

const std::set<std::string_view> kV1Controllers = {
    "blkio",   "cpu",        "cpuacct", "cpuset", "devices", "freezer", "hugetlb", "memory",
    "net_cls", "net_prio", "perf_event", "pids",  "rdma",    "misc",    "debug"};

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto v = str::ParseUint(s.substr(i + 1, 3), 8);
      if (v && *v < 256) {
        out.push_back(static_cast<char>(*v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool Below(std::string_view path, std::string_view root) {
  if (root == "/") return true;
  return path == root || (str::StartsWith(path, root) && path.size() > root.size() &&
                          path[root.size()] == '/');
}

std::string SortedSet(std::string_view list) {
  auto parts = str::Split(list, ',');
  std::sort(parts.begin(), parts.end());
  return str::Join(parts, ",");
}

}  // namespace

Result<Layout> ParseLayout(std::string_view mountinfo, std::string_view mount_root_in) {
  std::string mount_root = fs::Clean(mount_root_in);
  Layout layout;
  bool v2_root = false;
  std::set<std::string> seen;
  for (const std::string& line : str::Split(mountinfo, '\n')) {
    if (str::Trim(line).empty()) continue;
    // id parent maj:min root mountpoint options [optional...] - fstype source superopts
    std::vector<std::string> f;
    for (auto& w : str::Split(line, ' '))
      if (!w.empty()) f.push_back(w);
    auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 7 || dash == f.end() || f.end() - dash < 4) continue;
    const std::string& fstype = *(dash + 1);
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    std::string mount_point = Unescape(f[4]);
    if (!Below(mount_point, mount_root)) continue;
    Hierarchy h;
    h.mount_point = mount_point;
    h.root = Unescape(f[3]);
    if (fstype == "cgroup2") {
      if (layout.unified) continue;
      if (mount_point == mount_root) v2_root = true;
      layout.unified = h;
      continue;
    }
    for (const std::string& opt : str::Split(*(dash + 3), ','))
      if (kV1Controllers.count(opt)) h.controllers.push_back(opt);
    if (h.controllers.empty()) continue;  // named hierarchy (name=systemd)
    h.name = str::Join(h.controllers, ",");
    if (!seen.insert(SortedSet(h.name)).second) continue;  // mounted twice
    layout.v1.push_back(std::move(h));
  }
  if (v2_root) {
    layout.version = Version::kV2;
    layout.v1.clear();
    return layout;
  }
  if (layout.v1.empty())
    return Error::NotFound("no cgroup hierarchy mounted at " + mount_root);
  layout.version = Version::kV1;
  return layout;
}

Result<Layout> LoadLayout(const Options& opts) {
  std::string path = fs::Join(opts.proc_self, "mountinfo");
  std::string text = BERTH_TRY(fs::ReadFile(path));
  return ParseLayout(text, opts.mount_root).Context("cgroups");
}

std::map<std::string, std::string> ParseProcCgroup(std::string_view text) {
  std::map<std::string, std::string> out;
  for (const std::string& line : str::Split(text, '\n')) {
    bool found = false;
    auto [id, rest] = str::Cut(line, ':', &found);
    if (!found) continue;
    auto [controllers, path] = str::Cut(rest, ':', &found);
    if (!found) continue;
    out[controllers.empty() ? "" : SortedSet(controllers)] = path;
  }
  return out;
}

std::string OwnPathIn(const Hierarchy& h, const std::map<std::string, std::string>& own) {
  auto it = own.find(h.controllers.empty() ? "" : SortedSet(h.name));
  if (it == own.end()) return "/";
  std::string path = fs::Clean(it->second.empty() ? "/" : it->second);
  std::string root = fs::Clean(h.root);
  if (root != "/" && Below(path, root)) path = fs::Clean("/" + path.substr(root.size()));
  return path;
}

Result<std::string> ExpandSlice(std::string_view slice) {
  constexpr std::string_view kSuffix = ".slice";
  if (slice == "-.slice") return std::string("/");
  if (!str::EndsWith(slice, kSuffix) || slice.size() == kSuffix.size() ||
      slice.find('/') != std::string_view::npos)
    return Error::Invalid("invalid systemd slice name \"" + std::string(slice) + "\"");
  std::string_view base = slice.substr(0, slice.size() - kSuffix.size());
  if (base.front() == '-' || base.back() == '-' || base.find("--") != std::string_view::npos)
    return Error::Invalid("invalid systemd slice name \"" + std::string(slice) + "\"");
  std::string path;
  for (size_t i = 0; i <= base.size(); ++i) {
    if (i == base.size() || base[i] == '-') {
      path += "/";
      path += base.substr(0, i);
      path += kSuffix;
    }
  }
  return path;
}

Result<std::string> SystemdPath(std::string_view spec) {
  auto parts = str::Split(spec, ':');
  if (parts.size() != 3)
    return Error::Invalid("systemd cgroupsPath \"" + std::string(spec) +
                          "\" is not of the form slice:prefix:name");
  const std::string& prefix = parts[1];
  const std::string& name = parts[2];
  if (name.empty() || name.find('/') != std::string::npos ||
      prefix.find('/') != std::string::npos)
    return Error::Invalid("invalid systemd cgroupsPath \"" + std::string(spec) + "\"");
  std::string slice = BERTH_TRY(ExpandSlice(parts[0].empty() ? "system.slice" : parts[0]));
  std::string unit;
  if (str::EndsWith(name, ".slice")) {
    // A slice as the unit: nested below the parent slice by its own name.
    unit = BERTH_TRY(ExpandSlice(name));
    return fs::Clean(slice + "/" + fs::Basename(unit));
  }
  unit = prefix.empty() ? name + ".scope" : prefix + "-" + name + ".scope";
  return fs::Clean(slice + "/" + unit);
}

Result<std::string> NormalizeCgroupsPath(std::string_view path, std::string_view id,
                                         bool systemd) {
  if (systemd) {
    if (path.empty()) return SystemdPath("system.slice:berth:" + std::string(id));
    if (path.find(':') != std::string_view::npos) return SystemdPath(path);
  }
  if (path.empty()) {
    if (id.empty() || id.find('/') != std::string_view::npos || id == "." || id == "..")
      return Error::Invalid("invalid container id \"" + std::string(id) + "\" for a cgroup path");
    return "/berth/" + std::string(id);
  }
  if (path.front() == '/') return fs::Clean(path);
  std::string rel = fs::Clean("/" + std::string(path)).substr(1);
  if (rel.empty()) return Error::Invalid("cgroupsPath \"" + std::string(path) + "\" is empty");
  return rel;
}

std::string ResolveIn(const Hierarchy& h, std::string_view normalized,
                      const std::map<std::string, std::string>& own) {
  if (!normalized.empty() && normalized.front() == '/') return std::string(normalized);
  return fs::Clean(OwnPathIn(h, own) + "/" + std::string(normalized));
}

}  // namespace berth::cgroups

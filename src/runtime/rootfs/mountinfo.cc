#include "runtime/rootfs/mountinfo.h"

#include "base/fs.h"
#include "base/strings.h"

namespace berth::rootfs {
namespace {

std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
      auto v = str::ParseUint(s.substr(i + 1, 3), 8);
      if (v) {
        out.push_back(static_cast<char>(*v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

bool Contains(std::string_view dir, std::string_view path) {
  if (dir == "/") return true;
  return path == dir || (str::StartsWith(path, dir) && path[dir.size()] == '/');
}

}  // namespace

bool MountInfo::shared() const {
  for (const std::string& o : optional)
    if (str::StartsWith(o, "shared:")) return true;
  return false;
}

Result<std::vector<MountInfo>> ParseMountInfo(std::string_view text) {
  std::vector<MountInfo> out;
  for (const std::string& line : str::Split(text, '\n')) {
    if (str::Trim(line).empty()) continue;
    std::vector<std::string> f;
    for (std::string& w : str::Split(line, ' '))
      if (!w.empty()) f.push_back(std::move(w));
    auto bad = [&] { return Error::Invalid("mountinfo: malformed line \"" + line + "\""); };
    if (f.size() < 10) return bad();
    MountInfo m;
    auto id = str::ParseInt(f[0]);
    auto parent = str::ParseInt(f[1]);
    if (!id || !parent) return bad();
    m.id = static_cast<int>(*id);
    m.parent = static_cast<int>(*parent);
    m.mount_point = Unescape(f[4]);
    size_t i = 6;
    for (; i < f.size() && f[i] != "-"; ++i) m.optional.push_back(f[i]);
    if (i + 1 >= f.size()) return bad();
    m.fs_type = f[i + 1];
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<MountInfo>> ReadMountInfo() {
  std::string text = BERTH_TRY(fs::ReadFile("/proc/self/mountinfo"));
  return ParseMountInfo(text);
}

const MountInfo* MountOf(const std::vector<MountInfo>& mounts, std::string_view path) {
  const MountInfo* best = nullptr;
  for (const MountInfo& m : mounts) {
    if (!Contains(m.mount_point, path)) continue;
    if (best == nullptr || m.mount_point.size() >= best->mount_point.size()) best = &m;
  }
  return best;
}

}  // namespace berth::rootfs

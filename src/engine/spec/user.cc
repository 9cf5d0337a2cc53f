// Config.User → uid, gid, supplementary groups and home, from the
// container's /etc/passwd and /etc/group (the rules of runc's
// libcontainer/user, which Docker uses).
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "engine/spec/internal.h"

namespace berth::engine::spec {
namespace {

constexpr uint64_t kMaxId = 2147483647;

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
  std::string home;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

std::optional<uint32_t> ParseId(std::string_view s) {
  auto n = str::ParseUint(s);
  if (!n || *n > kMaxId) return std::nullopt;
  return static_cast<uint32_t>(*n);
}

// Lines of a colon-separated file, comments and malformed lines skipped.
std::vector<std::vector<std::string>> Records(const std::string& text, size_t min_fields) {
  std::vector<std::vector<std::string>> out;
  for (const std::string& line : str::Split(text, '\n')) {
    std::string_view t = str::Trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::vector<std::string> f = str::Split(t, ':');
    if (f.size() < min_fields) continue;
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<PasswdEntry> ParsePasswd(const std::string& text) {
  std::vector<PasswdEntry> out;
  for (auto& f : Records(text, 4)) {
    auto uid = ParseId(f[2]);
    auto gid = ParseId(f[3]);
    if (!uid || !gid) continue;
    out.push_back({f[0], *uid, *gid, f.size() > 5 ? f[5] : ""});
  }
  return out;
}

std::vector<GroupEntry> ParseGroup(const std::string& text) {
  std::vector<GroupEntry> out;
  for (auto& f : Records(text, 3)) {
    auto gid = ParseId(f[2]);
    if (!gid) continue;
    GroupEntry g{f[0], *gid, {}};
    if (f.size() > 3 && !f[3].empty()) {
      for (const std::string& m : str::Split(f[3], ','))
        if (!str::Trim(m).empty()) g.members.emplace_back(str::Trim(m));
    }
    out.push_back(std::move(g));
  }
  return out;
}

Error OutOfRange() { return Error::Invalid("uids and gids must be in range 0-2147483647"); }

// A numeric argument that does not fit: an error; a name: nullopt.
Result<std::optional<uint32_t>> Numeric(const std::string& arg) {
  auto n = str::ParseUint(arg);
  if (!n) {
    if (str::ParseInt(arg)) return OutOfRange();  // negative
    return std::optional<uint32_t>();
  }
  if (*n > kMaxId) return OutOfRange();
  return std::optional<uint32_t>(static_cast<uint32_t>(*n));
}

Result<uint32_t> LookupGroup(const std::string& arg, const std::vector<GroupEntry>& groups,
                             const char* not_found_format) {
  std::optional<uint32_t> num = BERTH_TRY(Numeric(arg));
  for (const GroupEntry& g : groups)
    if (g.name == arg || (num && g.gid == *num)) return g.gid;
  if (num) return *num;
  std::string msg = not_found_format;
  return Error::Invalid(msg.replace(msg.find("%s"), 2, arg));
}

}  // namespace

Result<ExecUser> ResolveUser(const std::string& user, const std::vector<std::string>& group_add,
                             const std::optional<std::string>& passwd,
                             const std::optional<std::string>& group) {
  bool has_group = false;
  auto [user_arg, group_arg] = str::Cut(user, ':', &has_group);
  if (user_arg.empty()) user_arg = "0";
  std::vector<PasswdEntry> users = passwd ? ParsePasswd(*passwd) : std::vector<PasswdEntry>{};
  std::vector<GroupEntry> groups = group ? ParseGroup(*group) : std::vector<GroupEntry>{};

  ExecUser out;
  std::optional<uint32_t> uid_num = BERTH_TRY(Numeric(user_arg));
  const PasswdEntry* matched = nullptr;
  for (const PasswdEntry& p : users) {
    if (p.name == user_arg || (uid_num && p.uid == *uid_num)) {
      matched = &p;
      break;
    }
  }
  if (matched) {
    out.uid = matched->uid;
    out.gid = matched->gid;
    if (!matched->home.empty()) out.home = matched->home;
  } else if (uid_num) {
    out.uid = *uid_num;
  } else {
    return Error::Invalid("unable to find user " + user_arg +
                          ": no matching entries in passwd file");
  }

  if (has_group && !group_arg.empty()) {
    out.gid = BERTH_TRY(
        LookupGroup(group_arg, groups, "unable to find group %s: no matching entries in group file"));
  } else if (matched) {
    // Supplementary groups: every group that lists the user, but its primary.
    for (const GroupEntry& g : groups) {
      if (g.gid == out.gid) continue;
      for (const std::string& m : g.members) {
        if (m == matched->name) {
          out.additional_gids.push_back(g.gid);
          break;
        }
      }
    }
  }
  for (const std::string& g : group_add) {
    uint32_t gid = BERTH_TRY(LookupGroup(g, groups, "Unable to find group %s"));
    bool dup = false;
    for (uint32_t have : out.additional_gids) dup = dup || have == gid;
    if (!dup) out.additional_gids.push_back(gid);
  }
  return out;
}

Result<std::optional<std::string>> ReadInRoot(const std::string& rootfs, const std::string& path) {
  unique_fd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return Error::Sys("open rootfs " + rootfs);
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  std::string rel = path;
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  long fd = ::syscall(SYS_openat2, root.get(), rel.c_str(), &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) {
    // Kernels before 5.6: lexical join; the engine's rootfs is its own
    // overlay, and the file is only read.
    fd = ::open(fs::Join(rootfs, rel).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  }
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<std::string>();
    return Error::Sys("open " + fs::Join(rootfs, rel));
  }
  unique_fd file(static_cast<int>(fd));
  std::string text = BERTH_TRY_CTX(fs::ReadFd(file.get()), "read " + fs::Join(rootfs, rel));
  return std::optional<std::string>(std::move(text));
}

}  // namespace berth::engine::spec

#include "cli/cmd/container/cp_path.h"

#include "base/fs.h"

namespace berth::cli::cp {

CpArg SplitCpArg(const std::string& arg) {
  if (!arg.empty() && arg[0] == '/') return {"", arg};
  auto colon = arg.find(':');
  if (colon == std::string::npos || arg[0] == '.') return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

bool HasTrailingSeparator(std::string_view p) { return !p.empty() && p.back() == '/'; }

bool SpecifiesCurrentDir(std::string_view p) {
  return p == "." || (p.size() >= 2 && p.substr(p.size() - 2) == "/.");
}

bool AssertsDirectory(std::string_view p) { return HasTrailingSeparator(p) || SpecifiesCurrentDir(p); }

std::string BaseName(std::string_view p) {
  while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
  if (p.empty()) return ".";
  if (p == "/") return "/";
  auto slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

std::string PreserveTrailingDotOrSeparator(const std::string& cleaned, const std::string& original) {
  std::string out = cleaned;
  if (!SpecifiesCurrentDir(out) && SpecifiesCurrentDir(original)) {
    if (!HasTrailingSeparator(out)) out += '/';
    out += '.';
  }
  if (!HasTrailingSeparator(out) && HasTrailingSeparator(original)) out += '/';
  return out;
}

std::pair<std::string, std::string> SplitPathDirEntry(const std::string& path) {
  std::string cleaned = fs::Clean(path);
  if (SpecifiesCurrentDir(path)) cleaned += cleaned == "/" ? "." : "/.";
  auto slash = cleaned.rfind('/');
  std::string dir = slash == std::string::npos ? "." : fs::Clean(cleaned.substr(0, slash + 1));
  std::string base = slash == std::string::npos ? cleaned : cleaned.substr(slash + 1);
  return {dir, base.empty() ? "/" : base};
}

std::pair<std::string, std::string> GetRebaseName(const std::string& path, std::string resolved) {
  if (SpecifiesCurrentDir(path) && !SpecifiesCurrentDir(resolved)) resolved += "/.";
  if (HasTrailingSeparator(path) && !HasTrailingSeparator(resolved)) resolved += "/";
  std::string rebase;
  if (BaseName(path) != BaseName(resolved)) rebase = BaseName(path);
  return {resolved, rebase};
}

std::string ResolveLocalPath(const std::string& path, const std::string& cwd) {
  std::string abs = !path.empty() && path[0] == '/' ? fs::Clean(path) : fs::Clean(cwd + "/" + path);
  return PreserveTrailingDotOrSeparator(abs, path);
}

Result<CopyPlan> PrepareArchiveCopy(const CopyInfo& src, const CopyInfo& dst) {
  auto [dst_dir, dst_base] = SplitPathDirEntry(dst.path);
  std::string src_base = SplitPathDirEntry(src.path).second;
  if (!src.rebase_name.empty()) src_base = src.rebase_name;
  if (dst.exists && dst.is_dir) return CopyPlan{dst.path, "", ""};
  if (dst.exists && src.is_dir) return Error::Invalid("cannot copy directory");
  if (dst.exists || src.is_dir) return CopyPlan{dst_dir, src_base, dst_base};
  if (AssertsDirectory(dst.path)) return Error::NotFound("no such directory");
  return CopyPlan{dst_dir, src_base, dst_base};
}

std::string RebaseEntry(const std::string& name, const std::string& old_base, const std::string& new_base) {
  if (old_base.empty()) return name;
  std::string from = old_base == "/" ? "" : old_base;
  if (from.empty()) return new_base + name;
  auto p = name.find(from);
  if (p == std::string::npos) return name;
  return name.substr(0, p) + new_base + name.substr(p + from.size());
}

}  // namespace berth::cli::cp

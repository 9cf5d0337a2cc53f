#include "cli/cmd/image/build_context.h"

#include <sys/stat.h>

#include <ctime>
#include <vector>

#include "base/fs.h"
#include "base/strings.h"
#include "build/context.h"
#include "build/dockerignore.h"
#include "build/tar_writer.h"

namespace berth::cli {
namespace {

// by_reference: a regular file goes as its absolute path (an xattr, see
// build/context.h), without data; its size is added to *referenced.
Status AddEntry(build::TarWriter& tar, const std::string& name, const std::string& path,
                const struct stat& st, bool by_reference, std::atomic<uint64_t>* referenced) {
  if (!by_reference || !S_ISREG(st.st_mode)) return tar.AddPath(name, path, st);
  build::TarHeader h{.name = name, .perm = st.st_mode & 07777, .mtime = st.st_mtim.tv_sec};
  std::string abs = BERTH_TRY(fs::Absolute(path));
  h.xattrs.emplace_back(build::kSourceXattr, std::move(abs));
  if (referenced) *referenced += static_cast<uint64_t>(st.st_size);
  return tar.WriteHeader(h);
}

Status Walk(build::TarWriter& tar, const build::IgnoreMatcher& ignore, const ContextSpec& spec,
            std::atomic<uint64_t>* referenced, const std::string& root, const std::string& rel) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  for (const std::string& n : BERTH_TRY(fs::ListDir(dir))) {
    std::string r = rel.empty() ? n : rel + "/" + n;
    struct stat st;
    if (::lstat((root + "/" + r).c_str(), &st) != 0) return Error::Sys("stat " + r);
    bool excluded = ignore.Excluded(r);
    if (excluded && !(S_ISDIR(st.st_mode) && ignore.HasExceptions())) continue;
    if (!excluded)
      BERTH_TRY(AddEntry(tar, r, root + "/" + r, st, spec.by_reference, referenced).Context("build context"));
    if (S_ISDIR(st.st_mode)) BERTH_TRY(Walk(tar, ignore, spec, referenced, root, r));
  }
  return Ok();
}

// The Dockerfile from outside the context, as Docker's CLI adds it.
Status AddDockerfile(build::TarWriter& tar, const std::string& name, const std::string& data) {
  build::TarHeader h{.name = name, .perm = 0600, .mtime = ::time(nullptr), .size = static_cast<int64_t>(data.size())};
  BERTH_TRY(tar.WriteHeader(h));
  return tar.WriteData(data);
}

}  // namespace

Status WriteContextTar(const ContextSpec& spec, int fd, std::atomic<uint64_t>* referenced) {
  std::vector<std::string> patterns;
  if (auto text = fs::ReadFile(spec.dir + "/.dockerignore"); text.ok()) {
    for (const std::string& line : str::Split(*text, '\n')) {
      std::string_view t = str::Trim(line);
      if (!t.empty() && t[0] != '#') patterns.emplace_back(t);
    }
  }
  // The Dockerfile and .dockerignore are sent even when ignored.
  if (!patterns.empty()) {
    patterns.push_back("!.dockerignore");
    if (!spec.dockerfile_in_context.empty()) patterns.push_back("!" + spec.dockerfile_in_context);
  }
  auto ignore = build::IgnoreMatcher::FromPatterns(patterns);
  if (!ignore.ok()) return std::move(ignore).error().Context("error checking context: .dockerignore");
  build::TarWriter tar;
  BERTH_TRY(tar.Open(fd, /*pad_last_block=*/false));
  if (!spec.dir.empty()) BERTH_TRY(Walk(tar, *ignore, spec, referenced, spec.dir, ""));
  if (spec.extra_dockerfile) BERTH_TRY(AddDockerfile(tar, spec.extra_name, *spec.extra_dockerfile));
  return tar.Close();
}

}  // namespace berth::cli

// berth cp: CONTAINER:SRC → local path or "-" (a tar on stdout), and local
// path or "-" (a tar on stdin) → CONTAINER:DEST, with docker's rules for
// directories, "/." and trailing slashes (cp_path.h). The tar goes through
// a pipe between a worker thread (packing or unpacking, cp_archive.h) and
// the HTTP stream.
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "base/fs.h"
#include "base/unique_fd.h"
#include "cli/cmd/container/cp_archive.h"
#include "cli/cmd/container/cp_path.h"
#include "cli/cmd/container/manage_commands.h"

namespace berth::cli {
namespace {

constexpr uint32_t kModeDir = 1u << 31, kModeSymlink = 1u << 27, kModeDevice = 1u << 26,
                   kModeIrregular = 1u << 19;

struct Options {
  bool follow_link = false, archive = false;
};

// Go's os error text: "lstat /x: no such file or directory".
Error PathError(const char* op, const std::string& path, int err = errno) {
  std::string msg = std::strerror(err);
  if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
  return Error(err == ENOENT ? Code::kNotFound : Code::kInternal, fmt::format("{} {}: {}", op, path, msg), err);
}

std::string Cwd() {
  char buf[PATH_MAX];
  return ::getcwd(buf, sizeof buf) ? std::string(buf) : std::string("/");
}

// filepath.EvalSymlinks.
Result<std::string> EvalSymlinks(const std::string& path) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) return PathError("lstat", fs::Clean(path));
  return std::string(buf);
}

class FdReader : public http::BodyReader {
 public:
  explicit FdReader(int fd) : fd_(fd) {}
  Result<size_t> Read(char* buf, size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return Error::Sys("read");
    }
  }

 private:
  int fd_;
};

// moby's CopyInfoSourcePath for a local source.
Result<cp::CopyInfo> CopyInfoSourcePath(const std::string& path, bool follow) {
  cp::CopyInfo info;
  if (follow) {
    auto resolved = BERTH_TRY(EvalSymlinks(path));
    std::tie(info.path, info.rebase_name) = cp::GetRebaseName(path, resolved);
  } else {
    auto slash = path.rfind('/');
    std::string dir = path.substr(0, slash + 1), base = path.substr(slash + 1);
    auto resolved_dir = BERTH_TRY(EvalSymlinks(dir.empty() ? "." : dir));
    info.path = (resolved_dir == "/" ? "" : resolved_dir) + "/" + base;
    if (cp::HasTrailingSeparator(path) && cp::BaseName(path) != cp::BaseName(info.path))
      info.rebase_name = cp::BaseName(path);
  }
  struct stat st {};
  if (::lstat(info.path.c_str(), &st) != 0) return PathError("lstat", info.path);
  info.exists = true;
  info.is_dir = S_ISDIR(st.st_mode);
  return info;
}

// moby's CopyInfoDestinationPath: symlinks at the end are followed; a
// missing path is fine when its parent is a directory.
Result<cp::CopyInfo> CopyInfoDestinationPath(std::string path) {
  struct stat st {};
  int r = ::lstat(path.c_str(), &st);
  for (int n = 0; r == 0 && S_ISLNK(st.st_mode); ++n) {
    if (n > 10) return Error::Invalid("too many symlinks in " + path);
    char buf[PATH_MAX];
    ssize_t len = ::readlink(path.c_str(), buf, sizeof buf - 1);
    if (len < 0) return PathError("readlink", path);
    std::string target(buf, static_cast<size_t>(len));
    if (target.empty() || target[0] != '/') target = fs::Clean(cp::SplitPathDirEntry(path).first + "/" + target);
    path = target;
    r = ::lstat(path.c_str(), &st);
  }
  if (r == 0) return cp::CopyInfo{path, true, S_ISDIR(st.st_mode), ""};
  if (errno != ENOENT) return PathError("lstat", path);
  std::string parent = cp::SplitPathDirEntry(path).first;
  if (::stat(parent.c_str(), &st) != 0) return PathError("stat", parent);
  if (!S_ISDIR(st.st_mode)) return Error::Invalid("not a directory");
  return cp::CopyInfo{path, false, false, ""};
}

uint32_t Mode(const client::json& stat) { return stat.value("mode", uint32_t{0}); }

Status FromContainer(Cli& cli, const Options& o, const std::string& ctr, std::string src, std::string dst) {
  if (dst != "-") dst = cp::ResolveLocalPath(dst, Cwd());
  BERTH_TRY(ValidateOutputPath(dst));
  auto* c = BERTH_TRY(cli.Client());
  std::string rebase;
  if (o.follow_link) {
    auto st = client::ContainerStatPath(*c, ctr, src);
    if (st.ok() && (Mode(*st) & kModeSymlink)) {
      std::string target = st->value("linkTarget", "");
      if (target.empty() || target[0] != '/') target = fs::Clean(cp::SplitPathDirEntry(src).first + "/" + target);
      std::tie(src, rebase) = cp::GetRebaseName(src, target);
    }
  }
  if (dst == "-")
    return client::CopyFromContainer(*c, ctr, src, [&](std::string_view d) { return WriteAllFd(cli.out_fd(), d); },
                                     nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::Sys("pipe");
  unique_fd rd(fds[0]), wr(fds[1]);
  std::thread worker;
  Status extracted = Ok();
  client::json stat;
  bool started = false;
  Status st = client::CopyFromContainer(*c, ctr, src, [&](std::string_view d) -> Status {
    if (!started) {
      started = true;
      cp::CopyInfo src_info{src, true, (Mode(stat) & kModeDir) != 0, rebase};
      auto dst_info = BERTH_TRY(CopyInfoDestinationPath(dst));
      auto plan = BERTH_TRY(cp::PrepareArchiveCopy(src_info, dst_info));
      cp::Renames r;
      if (!rebase.empty()) r = {cp::SplitPathDirEntry(src).second, rebase, "", ""};
      r.from2 = plan.old_base;
      r.to2 = plan.new_base;
      worker = std::thread([&extracted, &rd, r, dir = plan.dst_dir] {
        extracted = cp::ExtractTar(rd.get(), dir, r);
        // The end-of-archive blocks came; drain the padding after them.
        char buf[16 * 1024];
        while (extracted.ok() && ::read(rd.get(), buf, sizeof buf) > 0) {
        }
        rd.reset();
      });
    }
    if (!WriteAllFd(wr.get(), d).ok()) return extracted.ok() ? Error::Internal("extract: broken pipe") : extracted;
    return Ok();
  }, &stat);
  wr.reset();
  if (worker.joinable()) worker.join();
  if (!st.ok()) return st;
  return extracted;
}

Status ToContainer(Cli& cli, const Options& o, const std::string& ctr, std::string src, const std::string& dst) {
  if (src != "-") src = cp::ResolveLocalPath(src, Cwd());
  auto* c = BERTH_TRY(cli.Client());
  cp::CopyInfo dst_info{dst, false, false, ""};
  auto st = client::ContainerStatPath(*c, ctr, dst);
  if (st.ok() && (Mode(*st) & kModeSymlink)) {
    std::string target = st->value("linkTarget", "");
    if (target.empty() || target[0] != '/') target = fs::Clean(cp::SplitPathDirEntry(dst).first + "/" + target);
    dst_info.path = target;
    st = client::ContainerStatPath(*c, ctr, target);
  }
  if (st.ok()) {
    uint32_t mode = Mode(*st);
    const char* bad = (mode & kModeDevice) ? "got a device" : (mode & kModeIrregular) ? "got an irregular file" : nullptr;
    if (bad)
      return Error::Invalid(
          fmt::format("destination \"{}:{}\" must be a directory or a regular file: {}", ctr, dst, bad));
    dst_info.exists = true;
    dst_info.is_dir = (mode & kModeDir) != 0;
  }
  if (src == "-") {
    if (!dst_info.is_dir) return Error::Invalid(fmt::format("destination \"{}:{}\" must be a directory", ctr, dst));
    FdReader in(cli.in_fd());
    return client::CopyToContainer(*c, ctr, dst_info.path, in, true, o.archive);
  }
  auto src_info = BERTH_TRY(CopyInfoSourcePath(src, o.follow_link));
  auto plan = BERTH_TRY(cp::PrepareArchiveCopy(src_info, dst_info));
  cp::Renames r;
  if (!src_info.rebase_name.empty()) r = {cp::SplitPathDirEntry(src_info.path).second, src_info.rebase_name, "", ""};
  r.from2 = plan.old_base;
  r.to2 = plan.new_base;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::Sys("pipe");
  unique_fd rd(fds[0]);
  Status packed = Ok();
  std::thread worker([&packed, path = src_info.path, r, wfd = fds[1]] { packed = cp::WriteTar(path, r, wfd); });
  FdReader reader(rd.get());
  Status sent = client::CopyToContainer(*c, ctr, plan.dst_dir, reader, true, o.archive);
  rd.reset();  // a writer still blocked gets EPIPE
  worker.join();
  if (!packed.ok()) return packed;
  return sent;
}

}  // namespace

std::unique_ptr<Command> NewCpCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = "cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH";
  cmd->short_desc = "Copy files/folders between a container and the local filesystem";
  cmd->min_args = 2;
  cmd->max_args = 2;
  cmd->flags.Bool(&o->archive, "archive", 'a', false, "Archive mode (copy all uid/gid information)");
  cmd->flags.Bool(&o->follow_link, "follow-link", 'L', false, "Always follow symbol link in SRC_PATH");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    if (args[0].empty()) return Error::Invalid("source can not be empty");
    if (args[1].empty()) return Error::Invalid("destination can not be empty");
    ::signal(SIGPIPE, SIG_IGN);
    auto src = cp::SplitCpArg(args[0]), dst = cp::SplitCpArg(args[1]);
    if (!src.container.empty() && !dst.container.empty())
      return Error::Invalid("copying between containers is not supported");
    if (!src.container.empty()) return FromContainer(cli, *o, src.container, src.path, dst.path);
    if (!dst.container.empty()) return ToContainer(cli, *o, dst.container, src.path, dst.path);
    return Error::Invalid("must specify at least one container source");
  };
  return cmd;
}

}  // namespace berth::cli

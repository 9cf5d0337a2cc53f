// berth commit, berth export
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/fs.h"
#include "base/unique_fd.h"
#include "cli/cmd/container/cp_path.h"
#include "cli/cmd/container/manage_commands.h"

namespace berth::cli {
namespace {

struct CommitOptions {
  std::string author, message;
  std::vector<std::string> changes;
  bool pause = true;
};

}  // namespace

Status ValidateOutputPath(const std::string& path) {
  std::string dir = ".";
  std::string clean = fs::Clean(path);
  if (auto slash = clean.rfind('/'); slash != std::string::npos) dir = slash == 0 ? "/" : clean.substr(0, slash);
  struct stat st {};
  if (dir != "." && ::stat(dir.c_str(), &st) != 0 && errno == ENOENT)
    return Error::Invalid(fmt::format("invalid output path: directory \"{}\" does not exist", dir));
  if (::stat(path.c_str(), &st) == 0 && !S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
    return Error::Invalid(fmt::format("invalid output path: \"{}\" must be a directory or a regular file", path));
  return Ok();
}

namespace {

struct ExportOptions {
  std::string output;
};

}  // namespace

std::unique_ptr<Command> NewCommitCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<CommitOptions>();
  cmd->use = "commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]";
  cmd->interspersed = false;
  cmd->short_desc = "Create a new image from a container's changes";
  cmd->min_args = 1;
  cmd->max_args = 2;
  auto& f = cmd->flags;
  f.String(&o->author, "author", 'a', "", "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
  f.List(&o->changes, "change", 'c', "Apply Dockerfile instruction to the created image");
  f.String(&o->message, "message", 'm', "", "Commit message");
  f.Bool(&o->pause, "pause", 'p', true, "Pause container during commit");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    client::ContainerCommitOptions opts;
    opts.reference = args.size() > 1 ? args[1] : "";
    opts.comment = o->message;
    opts.author = o->author;
    opts.changes = o->changes;
    opts.pause = o->pause;
    auto r = BERTH_TRY(client::ContainerCommit(*c, args[0], opts));
    cli.Out(r.value("Id", "") + "\n");
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewExportCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<ExportOptions>();
  cmd->use = "export [OPTIONS] CONTAINER";
  cmd->short_desc = "Export a container's filesystem as a tar archive";
  cmd->min_args = 1;
  cmd->max_args = 1;
  cmd->flags.String(&o->output, "output", 'o', "", "Write to a file, instead of STDOUT");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    if (o->output.empty() && cli.OutIsTerminal())
      return Error::Invalid("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    if (!o->output.empty()) {
      Status v = ValidateOutputPath(o->output);
      if (!v.ok()) return Error::Invalid("failed to export container: " + v.error().message());
    }
    auto* c = BERTH_TRY(cli.Client());
    if (o->output.empty())
      return client::ContainerExport(*c, args[0], [&](std::string_view d) { return WriteAllFd(cli.out_fd(), d); });
    // Written beside the target and renamed into place: no half file on failure.
    std::string tmp = o->output + fmt::format(".berth-export-{}", ::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Error::Sys(fmt::format("failed to export container: open {}", o->output));
    unique_fd out(fd);
    Status s = client::ContainerExport(*c, args[0], [&](std::string_view d) { return WriteAllFd(out.get(), d); });
    out.reset();
    if (s.ok() && ::rename(tmp.c_str(), o->output.c_str()) != 0)
      s = Error::Sys("failed to export container: rename " + o->output);
    if (!s.ok()) ::unlink(tmp.c_str());
    return s;
  };
  return cmd;
}

}  // namespace berth::cli

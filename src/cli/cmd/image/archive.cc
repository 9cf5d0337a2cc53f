// berth save, berth load, berth import
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"

namespace berth::cli {
namespace {

class FdReader : public http::BodyReader {
 public:
  explicit FdReader(int fd) : fd_(fd) {}
  Result<size_t> Read(char* buf, size_t size) override {
    for (;;) {
      ssize_t n = ::read(fd_, buf, size);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno != EINTR) return Error::Sys("read input");
    }
  }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view d) {
  while (!d.empty()) {
    ssize_t n = ::write(fd, d.data(), d.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("write");
    }
    d.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

std::string Dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

Result<unique_fd> OpenInput(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(Code::kNotFound, fmt::format("open {}: {}", path, std::strerror(errno)), errno);
  return unique_fd(fd);
}

struct SaveOptions {
  std::string output;
};

}  // namespace

std::unique_ptr<Command> NewSaveCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<SaveOptions>();
  cmd->use = "save [OPTIONS] IMAGE [IMAGE...]";
  cmd->short_desc = "Save one or more images to a tar archive (streamed to STDOUT by default)";
  cmd->min_args = 1;
  cmd->flags.String(&o->output, "output", 'o', "", "Write to a file, instead of STDOUT");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    if (o->output.empty() && cli.OutIsTerminal())
      return Error::Invalid("Cowardly refusing to save to a terminal. Use the -o flag or redirect");
    auto* c = BERTH_TRY(cli.Client());
    if (o->output.empty())
      return c->ImageSave(args, [&](std::string_view d) { return WriteAll(cli.out_fd(), d); });
    std::string dir = Dir(o->output);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
      return Error::Invalid(fmt::format("failed to save image: invalid output path: directory \"{}\" does not exist", dir));
    if (!S_ISDIR(st.st_mode))
      return Error::Invalid(fmt::format("failed to save image: invalid output path: \"{}\" is not a directory", dir));
    // Written beside the target and renamed into place: no half file on failure.
    std::string tmp = o->output + fmt::format(".berth-save-{}", ::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Error::Sys(fmt::format("failed to save image: open {}", o->output));
    unique_fd out(fd);
    Status s = c->ImageSave(args, [&](std::string_view d) { return WriteAll(out.get(), d); });
    if (s.ok() && ::fsync(out.get()) != 0) s = Error::Sys("failed to save image: fsync " + o->output);
    out.reset();
    if (s.ok() && ::rename(tmp.c_str(), o->output.c_str()) != 0)
      s = Error::Sys("failed to save image: rename " + o->output);
    if (!s.ok()) ::unlink(tmp.c_str());
    return s;
  };
  return cmd;
}

namespace {

struct LoadOptions {
  std::string input;
  bool quiet = false;
};

}  // namespace

std::unique_ptr<Command> NewLoadCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<LoadOptions>();
  cmd->use = "load [OPTIONS]";
  cmd->short_desc = "Load an image from a tar archive or STDIN";
  cmd->max_args = 0;
  cmd->flags.String(&o->input, "input", 'i', "", "Read from tar archive file, instead of STDIN");
  cmd->flags.Bool(&o->quiet, "quiet", 'q', false, "Suppress the load output");
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    unique_fd file;
    int in = cli.in_fd();
    if (!o->input.empty()) {
      file = BERTH_TRY(OpenInput(o->input));
      in = file.get();
    } else if (cli.InIsTerminal()) {
      return Error::Invalid("requested load from stdin, but stdin is empty");
    }
    bool quiet = o->quiet || !cli.OutIsTerminal();
    auto* c = BERTH_TRY(cli.Client());
    FdReader reader(in);
    return c->ImageLoad(
        reader, quiet, [&](const client::json& m) { return DisplayJsonMessage(cli, m); },
        [&](std::string_view d) {
          cli.Out(d);
          return Ok();
        });
  };
  return cmd;
}

namespace {

struct ImportOptions {
  std::vector<std::string> changes;
  std::string message;
};

}  // namespace

std::unique_ptr<Command> NewImportCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<ImportOptions>();
  cmd->use = "import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]";
  cmd->short_desc = "Import the contents from a tarball to create a filesystem image";
  cmd->min_args = 1;
  cmd->max_args = 2;
  cmd->flags.List(&o->changes, "change", 'c', "Apply Dockerfile instruction to the created image");
  cmd->flags.String(&o->message, "message", 'm', "", "Set commit message for imported image");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    client::Client::ImportOptions opts;
    opts.ref = args.size() > 1 ? args[1] : "";
    opts.message = o->message;
    opts.changes = o->changes;
    const std::string& src = args[0];
    unique_fd file;
    std::optional<FdReader> reader;
    if (src == "-") {
      opts.source = "-";
      reader.emplace(cli.in_fd());
    } else if (str::StartsWith(src, "http://") || str::StartsWith(src, "https://")) {
      opts.source = src;  // fetched by the daemon
    } else {
      file = BERTH_TRY(OpenInput(src));
      opts.source = "-";
      reader.emplace(file.get());
    }
    auto* c = BERTH_TRY(cli.Client());
    return c->ImageImport(opts, reader ? &*reader : nullptr,
                          [&](const client::json& m) { return DisplayJsonMessage(cli, m); });
  };
  return cmd;
}

}  // namespace berth::cli

// berth run, berth create (and their "container" forms).
//
// run, as docker's runContainer: parse the flags into the create body;
// create (on "No such image", pull and create again); then, unless -d,
// attach (hijacked) → wait (next-exit, or removed with --rm) → start →
// stream → the container's exit status. Errors before the container runs
// are "berth: …" with status 125 (126/127 for a command that cannot run).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "base/reference.h"
#include "base/unique_fd.h"
#include "base/strings.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/container/attach_session.h"
#include "cli/cmd/container/create_opts.h"
#include "cli/cmd/container/run_group.h"
#include "cli/cmd/registry/common.h"
#include "cli/config_file.h"

namespace berth::cli {
namespace {

struct RunOptions {
  ContainerOptions c;
  bool detach = false, sig_proxy = true;
  std::string detach_keys;
};

// docker's cidfile: refused when the file exists, created before the
// container, removed again when the create fails.
class CidFile {
 public:
  static Result<CidFile> Make(const std::string& path) {
    CidFile f;
    if (path.empty()) return f;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0)
      return Error::Invalid(fmt::format(
          "container ID file found, make sure the other container isn't running or delete {}", path));
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
      return Error::Invalid(
          fmt::format("failed to create the container ID file: open {}: {}", path, GoErrno(errno)));
    f.path_ = path;
    f.fd_.reset(fd);
    return f;
  }
  CidFile() = default;
  CidFile(CidFile&&) = default;
  ~CidFile() {
    if (fd_.valid() && !written_) ::unlink(path_.c_str());
  }
  Status Write(const std::string& id) {
    if (!fd_.valid()) return Ok();
    if (::write(fd_.get(), id.data(), id.size()) != static_cast<ssize_t>(id.size()))
      return Error::Sys("failed to write the container ID to the file");
    written_ = true;
    return Ok();
  }

 private:
  std::string path_;
  unique_fd fd_;
  bool written_ = false;
};

void PrintPullMessage(Cli& cli, const client::json& m) {
  auto get = [&](const char* k) {
    auto it = m.find(k);
    return it != m.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string id = get("id"), status = get("status");
  if (id.empty() && status.empty()) return;
  cli.Err((id.empty() ? "" : id + ": ") + status + "\n");
}

// createContainer: the create call, with the pull of a missing image as
// --pull asks. Returns the ID; errors as the daemon worded them.
Result<std::string> CreateContainer(Cli& cli, client::Client& c, const RunOptions& o,
                                    const CreateConfig& cc) {
  auto cid = BERTH_TRY(CidFile::Make(o.c.cidfile));
  std::string body = cc.body.dump();
  auto pull = [&]() -> Status {
    // As `berth pull IMAGE` does: the default tag, and the stored login for
    // the image's registry.
    client::PullOptions po{o.c.image, false, o.c.platform,
                           RegistryAuthFor(ServerKeyForImage(o.c.image))};
    return client::ImagePull(c, po, [&](const client::json& m) -> Status {
      PrintPullMessage(cli, m);
      return Ok();
    });
  };
  if (o.c.pull == "always") BERTH_TRY(pull());
  std::vector<std::string> warnings;
  auto id = client::ContainerCreate(c, body, o.c.name, o.c.platform, &warnings);
  if (!id.ok() && id.error().code() == Code::kNotFound && o.c.pull == "missing") {
    auto r = ref::ParseNormalized(o.c.image);
    if (r.ok()) {
      cli.Err(fmt::format("Unable to find image '{}' locally\n", r->WithDefaultTag().Familiar()));
      BERTH_TRY(pull());
      warnings.clear();
      id = client::ContainerCreate(c, body, o.c.name, o.c.platform, &warnings);
    }
  }
  if (!id.ok()) return std::move(id).error();
  for (const auto& w : warnings) cli.Err("WARNING: " + w + "\n");
  BERTH_TRY(cid.Write(*id));
  return std::move(id).value();
}

Status CheckPull(const std::string& pull) {
  if (pull == "always" || pull == "missing" || pull == "never") return Ok();
  return Error::Invalid(fmt::format(
      "invalid pull option: '{}': must be one of \"always\", \"missing\" or \"never\"", pull));
}

Result<int> RunContainer(Cli& cli, const FlagSet& flags, RunOptions& o) {
  if (Status st = CheckPull(o.c.pull); !st.ok()) {
    ReportError(cli, "run", st.error().message(), true);
    return 125;
  }
  auto parsed = ParseContainerOptions(flags, o.c, ProcessEnv());
  if (!parsed.ok()) {
    ReportError(cli, "run", parsed.error().message(), true);
    return 125;
  }
  CreateConfig& cc = *parsed;
  if (!o.detach) {
    if (cc.attach_stdin && cc.tty && !cli.InIsTerminal())
      return Error::Invalid("the input device is not a TTY");
  } else {
    if (!o.c.attach.empty()) return Error::Invalid("Conflicting options: -a and -d");
    cc.attach_stdin = cc.attach_stdout = cc.attach_stderr = false;
    cc.body["AttachStdin"] = cc.body["AttachStdout"] = cc.body["AttachStderr"] = false;
    cc.body["StdinOnce"] = false;
  }
  auto* c = BERTH_TRY(cli.Client());
  auto id = CreateContainer(cli, *c, o, cc);
  if (!id.ok()) {
    ReportError(cli, "run", id.error().message(), true);
    return StartErrorStatus(id.error().message());
  }
  bool attach = cc.attach_stdin || cc.attach_stdout || cc.attach_stderr;
  if (!cc.attach_stdout && !cc.attach_stderr) cli.Out(*id + "\n");

  std::unique_ptr<AttachSession> session;
  if (attach) {
    client::AttachOptions ao;
    ao.stdin_ = cc.attach_stdin;
    ao.stdout_ = cc.attach_stdout;
    ao.stderr_ = cc.attach_stderr;
    ao.detach_keys = o.detach_keys;
    auto conn = BERTH_TRY(client::ContainerAttach(*c, *id, ao));
    SessionOptions so;
    so.container_id = *id;
    so.tty = cc.tty;
    so.in = cc.attach_stdin;
    so.out = cc.attach_stdout;
    so.err = cc.attach_stderr;
    so.detach_keys = o.detach_keys;
    so.sig_proxy = o.sig_proxy && !cc.tty;
    session = BERTH_TRY(AttachSession::Make(cli, *c, so, std::move(conn)));
  }
  std::unique_ptr<client::ContainerWaiter> waiter;
  if (attach) {
    auto w = client::ContainerWaiter::Start(*c, *id, o.c.auto_remove ? "removed" : "next-exit");
    if (!w.ok()) {
      cli.Err("Error waiting for container: " + w.error().message() + "\n");
      return 125;
    }
    waiter = std::move(w).value();
  }
  if (Status st = client::ContainerStart(*c, *id); !st.ok()) {
    if (session) session->Abort();
    ReportError(cli, "run", st.error().message(), false);
    if (o.c.auto_remove && waiter) (void)waiter->Get();
    return StartErrorStatus(st.error().message());
  }
  if (!session) return 0;
  auto end = session->Run();
  session.reset();
  if (!end.ok()) return std::move(end).error();
  if (*end == IoEnd::kDetached) return 0;
  if (!cc.attach_stdout && !cc.attach_stderr) return 0;
  auto outcome = waiter->Get();
  if (!outcome.error.empty()) {
    cli.Err("Error waiting for container: " + outcome.error + "\n");
    return 125;
  }
  return static_cast<int>(outcome.status_code);
}

Result<int> CreateOnly(Cli& cli, const FlagSet& flags, RunOptions& o) {
  if (Status st = CheckPull(o.c.pull); !st.ok()) {
    ReportError(cli, "create", st.error().message(), true);
    return 125;
  }
  auto parsed = ParseContainerOptions(flags, o.c, ProcessEnv());
  if (!parsed.ok()) {
    ReportError(cli, "create", parsed.error().message(), true);
    return 125;
  }
  auto* c = BERTH_TRY(cli.Client());
  auto id = BERTH_TRY(CreateContainer(cli, *c, o, *parsed));
  cli.Out(id + "\n");
  return 0;
}

std::unique_ptr<Command> NewRunOrCreate(bool run) {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<RunOptions>();
  cmd->use = run ? "run [OPTIONS] IMAGE [COMMAND] [ARG...]" : "create [OPTIONS] IMAGE [COMMAND] [ARG...]";
  cmd->interspersed = false;
  cmd->short_desc = run ? "Run a command in a new container" : "Create a new container";
  cmd->min_args = 1;
  auto& f = cmd->flags;
  if (run) {
    f.Bool(&o->detach, "detach", 'd', false, "Run container in background and print container ID");
    f.Bool(&o->sig_proxy, "sig-proxy", 0, true, "Proxy received signals to the process");
    f.String(&o->detach_keys, "detach-keys", 0, "", "Override the key sequence for detaching a container");
  }
  AddContainerFlags(f, &o->c, ProcessEnv());
  Command* self = cmd.get();
  cmd->run = [o, run, self](Cli& cli, const std::vector<std::string>& args) -> Status {
    o->c.image = args[0];
    o->c.args.assign(args.begin() + 1, args.end());
    return FinishWith(cli, run ? RunContainer(cli, self->flags, *o) : CreateOnly(cli, self->flags, *o));
  };
  return cmd;
}

}  // namespace

std::unique_ptr<Command> NewRunCommand() { return NewRunOrCreate(true); }
std::unique_ptr<Command> NewCreateCommand() { return NewRunOrCreate(false); }

}  // namespace berth::cli

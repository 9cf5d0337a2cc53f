#include "cli/cli.h"

#include <unistd.h>

#include <ctime>

#include <fmt/format.h>

#include "base/log.h"
#include "base/strings.h"
#include "cli/cmd/commands.h"
#include "cli/command.h"

#ifndef BERTH_GIT_COMMIT
#define BERTH_GIT_COMMIT "unknown"
#endif

namespace berth::cli {

const char* const kVersion = "0.1.0";
const char* const kGitCommit = BERTH_GIT_COMMIT;

std::string VersionLine() { return fmt::format("Berth version {}, build {}", kVersion, kGitCommit); }

namespace {

void WriteFd(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
}

struct GlobalOptions {
  std::vector<std::string> hosts;
  bool debug = false;
  std::string log_level;
  bool version = false;
};

std::unique_ptr<Command> NewRoot(GlobalOptions* g) {
  auto root = std::make_unique<Command>();
  root->use = "berth [OPTIONS] COMMAND [ARG...]";
  root->short_desc = "A self-sufficient runtime for containers";
  auto& f = root->flags;
  f.Bool(&g->debug, "debug", 'D', false, "Enable debug mode");
  f.List(&g->hosts, "host", 'H', "Daemon socket(s) to connect to");
  f.String(&g->log_level, "log-level", 'l', "info",
           "Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\")");
  f.Bool(&g->version, "version", 'v', false, "Print version information and quit");
  root->Add(NewImageCommand());
  root->Add(NewSystemCommand());
  root->Add(NewVolumeCommand());
  root->Add(NewNetworkCommand());
  root->Add(NewKvCommand());
  root->Add(NewServiceCommand());
  root->Add(NewImageListCommand(true));
  root->Add(NewRemoveCommand(true));
  root->Add(NewHistoryCommand());
  root->Add(NewTagCommand());
  root->Add(NewSaveCommand());
  root->Add(NewLoadCommand());
  root->Add(NewImportCommand());
  root->Add(NewBuildCommand());
  root->Add(NewPullCommand());
  root->Add(NewPushCommand());
  root->Add(NewSearchCommand());
  root->Add(NewLoginCommand());
  root->Add(NewLogoutCommand());
  root->Add(NewInspectCommand());
  root->Add(NewVersionCommand());
  root->Add(NewInfoCommand());
  root->Add(NewEventsCommand());
  // Containers: the "container" management command and the top-level forms.
  auto container = std::make_unique<Command>();
  container->use = "container";
  container->short_desc = "Manage containers";
  AddContainerRunCommands(*root, *container);
  AddContainerManageCommands(*root, *container);
  root->Add(std::move(container));
  return root;
}

// Root-level help: the usage line reads "berth [OPTIONS] COMMAND".
std::string RootHelp(const Command& root) {
  std::string h = root.Help();
  h += "\nTo get more help with berth, check out the README.\n";
  return h;
}

int FlagError(Cli& cli, const Command& cmd, const Error& e) {
  std::string usage;
  if (!cmd.children.empty()) usage = "\n\n" + cmd.Help();
  cli.Err(fmt::format("{}\nSee '{} --help'.{}\n", e.message(), cmd.Path(), usage));
  return 125;
}

}  // namespace

void Cli::Out(std::string_view s) { WriteFd(io_.out, s); }
void Cli::Err(std::string_view s) { WriteFd(io_.err, s); }
bool Cli::OutIsTerminal() const { return ::isatty(io_.out) == 1; }
bool Cli::InIsTerminal() const { return ::isatty(io_.in) == 1; }
int64_t Cli::Now() const { return env_.now != 0 ? env_.now : static_cast<int64_t>(::time(nullptr)); }

Result<client::Client*> Cli::Client() {
  if (!client_) client_ = BERTH_TRY(client::Client::New(host_));
  return client_.get();
}

int Main(const std::vector<std::string>& args, Streams io, Env env) {
  Cli cli(io, env);
  GlobalOptions g;
  auto root = NewRoot(&g);
  auto rest = root->flags.Parse(args, /*interspersed=*/false);
  if (!rest.ok()) return FlagError(cli, *root, rest.error());
  if (g.version) {
    cli.Out(VersionLine() + "\n");
    return 0;
  }
  if (root->help) {
    cli.Out(RootHelp(*root));
    return 0;
  }
  if (rest->empty()) {
    cli.Err(RootHelp(*root));
    return 0;
  }
  static const char* kLevels[] = {"debug", "info", "warn", "warning", "error", "fatal", "panic", "trace"};
  if (std::find(std::begin(kLevels), std::end(kLevels), str::ToLower(g.log_level)) == std::end(kLevels)) {
    cli.Err(fmt::format("Unable to parse logging level: {}\n", g.log_level));
    return 1;
  }
  if (g.debug || str::ToLower(g.log_level) == "debug") log::SetLevel(log::Level::kDebug);
  else if (g.log_level == "error" || g.log_level == "fatal" || g.log_level == "panic")
    log::SetLevel(log::Level::kError);
  else log::SetLevel(log::Level::kWarn);
  // -H (first wins), then $BERTH_HOST, then the default socket.
  if (!g.hosts.empty()) cli.set_host(g.hosts.front());
  else if (!env.berth_host.empty()) cli.set_host(env.berth_host);
  else cli.set_host(std::string(client::kDefaultHost));

  std::vector<std::string> argv = std::move(rest).value();
  Command* cmd = root.get();
  for (;;) {
    Command* next = cmd->Find(argv.front());
    if (next == nullptr) {
      if (cmd == root.get()) {
        cli.Err(fmt::format("berth: '{}' is not a berth command.\nSee 'berth --help'\n", argv.front()));
        return 1;
      }
      break;
    }
    cmd = next;
    argv.erase(argv.begin());
    if (cmd->children.empty()) break;
    // A management command: its own flags (just --help), then a sub-command.
    auto sub = cmd->flags.Parse(argv, false);
    if (!sub.ok()) return FlagError(cli, *cmd, sub.error());
    argv = std::move(sub).value();
    if (cmd->help) {
      cli.Out(cmd->Help());
      return 0;
    }
    if (argv.empty()) {
      cli.Err(cmd->Help());
      return 0;
    }
  }
  if (!cmd->children.empty()) {
    // An unknown sub-command of a management command.
    Status st = cmd->CheckArgs(argv);
    cli.Err(st.error().message() + "\n");
    return 1;
  }
  auto pos = cmd->flags.Parse(argv, cmd->interspersed);
  if (!pos.ok()) return FlagError(cli, *cmd, pos.error());
  if (cmd->help) {
    cli.Out(cmd->Help());
    return 0;
  }
  if (Status st = cmd->CheckArgs(*pos); !st.ok()) {
    cli.Err(st.error().message() + "\n");
    return 1;
  }
  Status st = cmd->run(cli, *pos);
  if (!st.ok()) {
    if (!st.error().message().empty()) cli.Err(st.error().message() + "\n");
    return cli.exit_code() ? cli.exit_code() : 1;
  }
  return cli.exit_code();
}

}  // namespace berth::cli

// berth login, berth logout
#include <termios.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/strings.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/config_file.h"

namespace berth::cli {
namespace {

struct LoginOptions {
  std::string username, password;
  bool password_stdin = false;
};

std::string ReadLine(int fd, bool echo) {
  struct termios old {};
  bool restore = false;
  if (!echo && ::tcgetattr(fd, &old) == 0) {
    struct termios t = old;
    t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    restore = ::tcsetattr(fd, TCSANOW, &t) == 0;
  }
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line += c;
  if (restore) ::tcsetattr(fd, TCSANOW, &old);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

Status Login(Cli& cli, LoginOptions o, const std::vector<std::string>& args) {
  std::string server = args.empty() ? "https://index.docker.io/v1/" : args[0];
  if (!o.password.empty()) {
    cli.Err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
    if (o.password_stdin) return Error::Invalid("--password and --password-stdin are mutually exclusive");
  }
  if (o.password_stdin) {
    if (o.username.empty()) return Error::Invalid("Must provide --username with --password-stdin");
    std::string all = BERTH_TRY(fs::ReadFd(cli.in_fd()).Context("read password from stdin"));
    while (!all.empty() && (all.back() == '\n' || all.back() == '\r')) all.pop_back();
    o.password = all;
  }
  ConfigFile cfg = BERTH_TRY(ConfigFile::Load(ConfigFile::DefaultDir()));
  std::string key = ServerKey(server);
  if (o.username.empty() || o.password.empty()) {
    auto stored = cfg.Get(key);
    if (o.username.empty() && o.password.empty() && stored) {
      o.username = stored->username;
      o.password = stored->password;
    }
  }
  if (o.username.empty() || o.password.empty()) {
    if (!cli.InIsTerminal()) return Error::Invalid("Cannot perform an interactive login from a non TTY device");
    if (o.username.empty()) {
      cli.Out("Username: ");
      o.username = std::string(str::Trim(ReadLine(cli.in_fd(), true)));
      if (o.username.empty()) return Error::Invalid("Username cannot be empty");
    }
    if (o.password.empty()) {
      cli.Out("Password: ");
      o.password = ReadLine(cli.in_fd(), false);
      cli.Out("\n");
      if (o.password.empty()) return Error::Invalid("Password Required");
    }
  }
  auto* c = BERTH_TRY(cli.Client());
  client::json body = {{"username", o.username}, {"password", o.password}, {"serveraddress", key}};
  auto resp = BERTH_TRY(client::RegistryLogin(*c, body));
  if (Status st = cfg.Store(key, o.username, o.password); !st.ok())
    return Error(st.error().code(), "Error saving credentials: " + st.error().message());
  BERTH_TRY(cfg.Save());
  if (cfg.HelperFor(key).empty())
    cli.Out("WARNING! Your password will be stored unencrypted in " + cfg.path() +
            ".\nConfigure a credential helper to remove this warning. See\n"
            "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n");
  std::string status = resp.is_object() ? resp.value("Status", "Login Succeeded") : "Login Succeeded";
  cli.Out(status + "\n");
  return Ok();
}

Status Logout(Cli& cli, const std::vector<std::string>& args) {
  std::string server = args.empty() ? "https://index.docker.io/v1/" : args[0];
  std::string key = ServerKey(server);
  ConfigFile cfg = BERTH_TRY(ConfigFile::Load(ConfigFile::DefaultDir()));
  std::string shown = args.empty() ? key : args[0];
  // As docker 20.10 and later: the same words whether or not a login was
  // stored.
  cli.Out("Removing login credentials for " + shown + "\n");
  Status helper_error;
  cfg.Remove(key, &helper_error);
  if (!helper_error.ok())
    cli.Err("WARNING: could not erase credentials:\n" + key + ": " + helper_error.error().message() + "\n");
  return cfg.Save();
}

}  // namespace

std::unique_ptr<Command> NewLoginCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<LoginOptions>();
  cmd->use = "login [OPTIONS] [SERVER]";
  cmd->short_desc =
      "Log in to a Docker registry.\nIf no server is specified, the default is defined by the daemon.";
  cmd->max_args = 1;
  cmd->flags.String(&o->username, "username", 'u', "", "Username");
  cmd->flags.String(&o->password, "password", 'p', "", "Password");
  cmd->flags.Bool(&o->password_stdin, "password-stdin", 0, false, "Take the password from stdin");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) { return Login(cli, *o, args); };
  return cmd;
}

std::unique_ptr<Command> NewLogoutCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "logout [SERVER]";
  cmd->short_desc =
      "Log out from a Docker registry.\nIf no server is specified, the default is defined by the daemon.";
  cmd->max_args = 1;
  cmd->run = [](Cli& cli, const std::vector<std::string>& args) { return Logout(cli, args); };
  return cmd;
}

}  // namespace berth::cli

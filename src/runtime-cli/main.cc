// berth-runtime: an OCI runtime with runc's command line.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "base/log.h"
#include "runtime-cli/args.h"
#include "runtime-cli/commands.h"

namespace berth::cli {
namespace {

constexpr const char* kUsage = R"(berth-runtime: an OCI runtime (runtime-spec 1.0.2)

Usage: berth-runtime [global options] COMMAND [options] [arguments]

Commands:
  create    create a container (waits to be started)
  start     start a created container
  run       create and start a container, wait for it unless --detach
  state     print the state of a container as JSON
  kill      send a signal to a container's init (or --all processes)
  delete    delete a stopped container (--force kills it first)
  exec      run a new process inside a container
  ps        list the processes of a container
  pause     freeze all processes of a container
  resume    thaw a paused container
  list      list containers
  spec      write a default config.json
  features  print the features this runtime supports, as JSON

Global options:
  --root DIR          state directory (default /run/berth-runtime)
  --log FILE          log file (default stderr)
  --log-format FMT    text or json
  --debug             log debug messages
  --systemd-cgroup    read cgroupsPath as slice:prefix:name
  --version, -v       print the version
)";

const std::vector<FlagSpec> kGlobalFlags = {
    {"root", 0, true},          {"log", 0, true},           {"log-format", 0, true},
    {"debug", 0, false},        {"systemd-cgroup", 0, false}, {"version", 'v', false},
    {"help", 'h', false},       {"rootless", 0, true, true}, {"criu", 0, true, true},
};

using Handler = int (*)(const runtime::GlobalOptions&, const Argv&, size_t);

const std::pair<const char*, Handler> kCommands[] = {
    {"create", CmdCreate}, {"run", CmdRun},       {"start", CmdStart},   {"delete", CmdDelete},
    {"kill", CmdKill},     {"state", CmdState},   {"list", CmdList},     {"ps", CmdPs},
    {"pause", CmdPause},   {"resume", CmdResume}, {"exec", CmdExec},     {"spec", CmdSpec},
    {"features", CmdFeatures},
};

}  // namespace

int Main(int argc, char** argv) {
  log::ElapsedMs();  // starts the phase clock
  Argv args(argv, argv + argc);
  size_t at = 1;
  auto global = Parse(args, 1, kGlobalFlags, /*stop_at_positional=*/true, &at);
  if (!global.ok()) return Fail(global.error());
  if (global->Has("version")) {
    std::printf("berth-runtime version 0.1.0\nspec: 1.0.2\n");
    return 0;
  }
  if (global->Has("help") || at >= args.size() || args[at] == "help") {
    std::fputs(kUsage, global->Has("help") || at < args.size() ? stdout : stderr);
    return at >= args.size() && !global->Has("help") ? 1 : 0;
  }
  std::string format = global->Get("log-format", "text");
  if (format != "text" && format != "json") return Fail(Error::Invalid("invalid log format \"" + format + "\""));
  auto st = log::Init(global->Get("log"), format == "json" ? log::Format::kJson : log::Format::kText,
                      global->Has("debug") ? log::Level::kDebug : log::Level::kWarn);
  if (!st.ok()) return Fail(st.error());

  runtime::GlobalOptions g;
  g.root = global->Get("root", g.root);
  g.systemd_cgroup = global->Has("systemd-cgroup");
  const std::string& cmd = args[at];
  for (const auto& [name, handler] : kCommands)
    if (cmd == name) return handler(g, args, at + 1);
  std::fprintf(stderr, "berth-runtime: unknown command \"%s\" (see berth-runtime --help)\n", cmd.c_str());
  return 1;
}

}  // namespace berth::cli

int main(int argc, char** argv) { return berth::cli::Main(argc, argv); }

// berth ps / berth container ls
#include "cli/cli.h"
#include "cli/cmd/common.h"
#include "cli/cmd/container/manage_commands.h"
#include "cli/cmd/container/ps_rows.h"

namespace berth::cli {
namespace {

struct Options {
  bool all = false, quiet = false, size = false, latest = false, no_trunc = false;
  int64_t last = -1;
  std::vector<std::string> filters;
  std::string format;
};

constexpr const char* kTable =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

Status Run(Cli& cli, const Options& o) {
  client::ContainerListOptions opts;
  opts.all = o.all;
  opts.size = o.size;
  opts.limit = o.last;
  if (o.latest && o.last == -1) opts.limit = 1;
  opts.filters = ParseFilters(o.filters);
  std::string format = o.format;
  // As docker: a custom format asks the daemon for sizes when it uses .Size
  // (json . marshals every field, .Size included).
  if (format.find(".Size") != std::string::npos || format.find("json .") != std::string::npos) opts.size = true;
  if (format.empty() || format == "table") {
    if (o.quiet) format = "{{.ID}}";
    else format = std::string(kTable) + (o.size ? "\t{{.Size}}" : "");
  }
  auto* c = BERTH_TRY(cli.Client());
  auto list = BERTH_TRY(client::ContainerList(*c, opts));
  auto out = BERTH_TRY(RenderContainers(format, ContainerRows(list, !o.no_trunc, cli.Now())));
  cli.Out(out);
  return Ok();
}

}  // namespace

std::unique_ptr<Command> NewPsCommand(bool top_level) {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = top_level ? "ps [OPTIONS]" : "ls [OPTIONS]";
  if (!top_level) cmd->aliases = {"ps", "list"};
  cmd->short_desc = "List containers";
  cmd->max_args = 0;
  auto& f = cmd->flags;
  f.Bool(&o->quiet, "quiet", 'q', false, "Only display container IDs");
  f.Bool(&o->size, "size", 's', false, "Display total file sizes");
  f.Bool(&o->all, "all", 'a', false, "Show all containers (default shows just running)");
  f.Bool(&o->no_trunc, "no-trunc", 0, false, "Don't truncate output");
  f.Bool(&o->latest, "latest", 'l', false, "Show the latest created container (includes all states)");
  f.Int(&o->last, "last", 'n', -1, "Show n last created containers (includes all states)");
  f.String(&o->format, "format", 0, "", "Pretty-print containers using a Go template");
  AddFilterFlag(f, &o->filters, "Filter output based on conditions provided");
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) { return Run(cli, *o); };
  return cmd;
}

}  // namespace berth::cli

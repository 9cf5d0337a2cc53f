// berth images / berth image ls
#include <map>

#include "base/reference.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/cmd/image/image_rows.h"
#include "cli/format.h"

namespace berth::cli {
namespace {

struct Options {
  bool all = false, quiet = false, digests = false, no_trunc = false;
  std::vector<std::string> filters;
  std::string format;
};

Status Run(Cli& cli, const Options& o, const std::vector<std::string>& args) {
  auto filters = ParseFilters(o.filters);
  if (!args.empty()) filters.Add("reference", args[0]);
  auto* c = BERTH_TRY(cli.Client());
  auto images = BERTH_TRY(c->ImageList(o.all, filters));
  std::string format = o.format;
  if (format.empty() || format == "table") {
    if (o.quiet) format = "{{.ID}}";
    else if (o.digests) format = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
    else format = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
  }
  Rows rows = ImageRows(images, !o.no_trunc, o.digests, cli.Now());
  auto out = BERTH_TRY(Render(format, rows));
  cli.Out(out);
  return Ok();
}

}  // namespace

std::unique_ptr<Command> NewImageListCommand(bool top_level) {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<Options>();
  cmd->use = top_level ? "images [OPTIONS] [REPOSITORY[:TAG]]" : "ls [OPTIONS] [REPOSITORY[:TAG]]";
  if (!top_level) cmd->aliases = {"images", "list"};
  cmd->short_desc = "List images";
  cmd->max_args = 1;
  auto& f = cmd->flags;
  f.Bool(&o->quiet, "quiet", 'q', false, "Only show image IDs");
  f.Bool(&o->all, "all", 'a', false, "Show all images (default hides intermediate images)");
  f.Bool(&o->no_trunc, "no-trunc", 0, false, "Don't truncate output");
  f.Bool(&o->digests, "digests", 0, false, "Show digests");
  f.String(&o->format, "format", 0, "", "Pretty-print images using a Go template");
  AddFilterFlag(f, &o->filters, "Filter output based on conditions provided");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) { return Run(cli, *o, args); };
  return cmd;
}

}  // namespace berth::cli

// berth image inspect, berth history, berth tag
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/cmd/image/image_rows.h"
#include "cli/cmd/inspect_output.h"
#include "cli/format.h"

namespace berth::cli {

std::unique_ptr<Command> NewImageInspectCommand() {
  auto cmd = std::make_unique<Command>();
  auto format = std::make_shared<std::string>();
  cmd->use = "inspect [OPTIONS] IMAGE [IMAGE...]";
  cmd->short_desc = "Display detailed information on one or more images";
  cmd->min_args = 1;
  cmd->flags.String(format.get(), "format", 'f', "", "Format the output using the given Go template");
  cmd->run = [format](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    return InspectAll(cli, *format, args, [c](const std::string& name) { return c->ImageInspectRaw(name); });
  };
  return cmd;
}

namespace {

struct HistoryOptions {
  bool human = true, quiet = false, no_trunc = false;
  std::string format;
};

}  // namespace

std::unique_ptr<Command> NewHistoryCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<HistoryOptions>();
  cmd->use = "history [OPTIONS] IMAGE";
  cmd->short_desc = "Show the history of an image";
  cmd->min_args = cmd->max_args = 1;
  auto& f = cmd->flags;
  f.Bool(&o->human, "human", 'H', true, "Print sizes and dates in human readable format");
  f.Bool(&o->quiet, "quiet", 'q', false, "Only show image IDs");
  f.Bool(&o->no_trunc, "no-trunc", 0, false, "Don't truncate output");
  f.String(&o->format, "format", 0, "", "Pretty-print images using a Go template");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    auto history = BERTH_TRY(c->ImageHistory(args[0]));
    std::string format = o->format;
    if (format.empty() || format == "table") {
      format = o->quiet ? "{{.ID}}"
                        : "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
    }
    auto out = BERTH_TRY(Render(format, HistoryRows(history, !o->no_trunc, o->human, cli.Now())));
    cli.Out(out);
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewTagCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]";
  cmd->short_desc = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE";
  cmd->min_args = cmd->max_args = 2;
  cmd->run = [](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    return c->ImageTag(args[0], args[1]);
  };
  return cmd;
}

}  // namespace berth::cli

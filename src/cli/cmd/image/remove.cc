// berth rmi / berth image rm, berth image prune
#include "base/strings.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/common.h"
#include "cli/units.h"

namespace berth::cli {
namespace {

struct RemoveOptions {
  bool force = false, no_prune = false;
};

std::string Field(const client::json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::unique_ptr<Command> NewRemoveCommand(bool top_level) {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<RemoveOptions>();
  cmd->use = top_level ? "rmi [OPTIONS] IMAGE [IMAGE...]" : "rm [OPTIONS] IMAGE [IMAGE...]";
  if (!top_level) cmd->aliases = {"rmi", "remove"};
  cmd->short_desc = "Remove one or more images";
  cmd->min_args = 1;
  cmd->flags.Bool(&o->force, "force", 'f', false, "Force removal of the image");
  cmd->flags.Bool(&o->no_prune, "no-prune", 0, false, "Do not delete untagged parents");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) -> Status {
    auto* c = BERTH_TRY(cli.Client());
    std::vector<std::string> errs;
    bool fatal = false;
    for (const auto& name : args) {
      auto dels = c->ImageRemove(name, o->force, o->no_prune);
      if (!dels.ok()) {
        if (dels.error().code() != Code::kNotFound) fatal = true;
        // A dead daemon fails every name the same way: stop at once.
        if (dels.error().code() == Code::kUnavailable || dels.error().code() == Code::kPermissionDenied)
          return std::move(dels).error();
        errs.push_back(dels.error().message());
        continue;
      }
      if (!dels->is_array()) continue;
      for (const auto& d : *dels) {
        std::string deleted = Field(d, "Deleted");
        if (!deleted.empty()) cli.Out("Deleted: " + deleted + "\n");
        else cli.Out("Untagged: " + Field(d, "Untagged") + "\n");
      }
    }
    if (errs.empty()) return Ok();
    std::string msg = str::Join(errs, "\n");
    if (!o->force || fatal) return Error::Internal(msg);
    cli.Err(msg + "\n");
    return Ok();
  };
  return cmd;
}

namespace {

struct PruneOptions {
  bool all = false, force = false;
  std::vector<std::string> filters;
};

}  // namespace

std::unique_ptr<Command> NewImagePruneCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<PruneOptions>();
  cmd->use = "prune [OPTIONS]";
  cmd->short_desc = "Remove unused images";
  cmd->max_args = 0;
  cmd->flags.Bool(&o->all, "all", 'a', false, "Remove all unused images, not just dangling ones");
  cmd->flags.Bool(&o->force, "force", 'f', false, "Do not prompt for confirmation");
  Flag& ff = cmd->flags.List(&o->filters, "filter", 0, "Provide filter values (e.g. 'until=<timestamp>')",
                             "filter");
  ff.validate = [](std::string& v) -> Status {
    if (v.find('=') == std::string::npos) return Error::Invalid("bad format of filter (expected name=value)");
    return Ok();
  };
  cmd->run = [o](Cli& cli, const std::vector<std::string>&) -> Status {
    auto filters = ParseFilters(o->filters);
    filters.Add("dangling", o->all ? "false" : "true");
    std::string warning =
        o->all ? "WARNING! This will remove all images without at least one container associated to them."
               : "WARNING! This will remove all dangling images.";
    int64_t reclaimed = 0;
    std::string output;
    if (o->force || Confirm(cli, warning + "\nAre you sure you want to continue?")) {
      auto* c = BERTH_TRY(cli.Client());
      auto report = BERTH_TRY(c->ImagesPrune(filters));
      if (report.contains("SpaceReclaimed") && report["SpaceReclaimed"].is_number())
        reclaimed = report["SpaceReclaimed"].get<int64_t>();
      auto it = report.find("ImagesDeleted");
      if (it != report.end() && it->is_array() && !it->empty()) {
        output = "Deleted Images:\n";
        for (const auto& d : *it) {
          std::string untagged = Field(d, "Untagged");
          if (!untagged.empty()) output += "untagged: " + untagged + "\n";
          else output += "deleted: " + Field(d, "Deleted") + "\n";
        }
      }
    }
    if (!output.empty()) cli.Out(output + "\n");
    cli.Out("Total reclaimed space: " + HumanSize(static_cast<double>(reclaimed)) + "\n");
    return Ok();
  };
  return cmd;
}

std::unique_ptr<Command> NewImageCommand() {
  auto cmd = std::make_unique<Command>();
  cmd->use = "image";
  cmd->short_desc = "Manage images";
  cmd->max_args = 0;
  cmd->Add(NewBuildCommand());
  cmd->Add(NewHistoryCommand());
  cmd->Add(NewImportCommand());
  cmd->Add(NewImageInspectCommand());
  cmd->Add(NewLoadCommand());
  cmd->Add(NewPullCommand());
  cmd->Add(NewPushCommand());
  cmd->Add(NewImageListCommand(false));
  cmd->Add(NewImagePruneCommand());
  cmd->Add(NewRemoveCommand(false));
  cmd->Add(NewSaveCommand());
  cmd->Add(NewTagCommand());
  return cmd;
}

}  // namespace berth::cli

// berth pull, berth push
#include "base/reference.h"
#include "cli/cli.h"
#include "cli/cmd/commands.h"
#include "cli/cmd/registry/common.h"
#include "cli/config_file.h"

namespace berth::cli {
namespace {

struct PullOptions {
  bool all_tags = false, quiet = false, trust_off = true;
  std::string platform;
};

Status Pull(Cli& cli, const PullOptions& o, const std::string& image) {
  ref::Reference r = BERTH_TRY(ref::ParseNormalized(image));
  if (o.all_tags && !r.NameOnly()) return Error::Invalid("tag can't be used with --all-tags/-a");
  if (!o.all_tags && r.NameOnly() && !o.quiet) cli.Out("Using default tag: latest\n");
  auto* c = BERTH_TRY(cli.Client());
  client::PullOptions po{image, o.all_tags, o.platform, RegistryAuthFor(ServerKeyForImage(image))};
  ProgressDisplay display = MakeDisplay(cli);
  BERTH_TRY(client::ImagePull(*c, po, [&](const client::json& m) -> Status {
    if (o.quiet) return Ok();
    return display.Show(m);
  }));
  cli.Out((o.all_tags ? r.Name() : r.WithDefaultTag().Full()) + "\n");
  return Ok();
}

struct PushOptions {
  bool all_tags = false, quiet = false, trust_off = true;
};

Status Push(Cli& cli, const PushOptions& o, const std::string& image) {
  ref::Reference r = BERTH_TRY(ref::ParseNormalized(image));
  if (!r.digest.empty()) return Error::Invalid("cannot push a digest reference");
  if (o.all_tags && !r.tag.empty()) return Error::Invalid("tag can't be used with --all-tags/-a");
  if (!o.all_tags && r.tag.empty()) {
    if (!o.quiet) cli.Out("Using default tag: latest\n");
    r.tag = "latest";
  }
  auto* c = BERTH_TRY(cli.Client());
  ProgressDisplay display = MakeDisplay(cli);
  BERTH_TRY(client::ImagePush(*c, r.FamiliarName(), r.tag, RegistryAuthFor(ServerKeyForImage(image)),
                              [&](const client::json& m) -> Status {
                                if (o.quiet) return Ok();
                                return display.Show(m);
                              }));
  if (o.quiet) cli.Out((o.all_tags ? r.Name() : r.Full()) + "\n");
  return Ok();
}

}  // namespace

std::unique_ptr<Command> NewPullCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<PullOptions>();
  cmd->use = "pull [OPTIONS] NAME[:TAG|@DIGEST]";
  cmd->short_desc = "Pull an image or a repository from a registry";
  cmd->min_args = 1;
  cmd->max_args = 1;
  cmd->flags.Bool(&o->all_tags, "all-tags", 'a', false, "Download all tagged images in the repository");
  cmd->flags.Bool(&o->quiet, "quiet", 'q', false, "Suppress verbose output");
  cmd->flags.String(&o->platform, "platform", 0, "", "Set platform if server is multi-platform capable");
  // Accepted as docker does; berth has no content trust.
  cmd->flags.Bool(&o->trust_off, "disable-content-trust", 0, true, "Skip image verification (always)");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) { return Pull(cli, *o, args[0]); };
  return cmd;
}

std::unique_ptr<Command> NewPushCommand() {
  auto cmd = std::make_unique<Command>();
  auto o = std::make_shared<PushOptions>();
  cmd->use = "push [OPTIONS] NAME[:TAG]";
  cmd->short_desc = "Push an image or a repository to a registry";
  cmd->min_args = 1;
  cmd->max_args = 1;
  cmd->flags.Bool(&o->all_tags, "all-tags", 'a', false, "Push all tagged images in the repository");
  cmd->flags.Bool(&o->quiet, "quiet", 'q', false, "Suppress verbose output");
  cmd->flags.Bool(&o->trust_off, "disable-content-trust", 0, true, "Skip image signing (always)");
  cmd->run = [o](Cli& cli, const std::vector<std::string>& args) { return Push(cli, *o, args[0]); };
  return cmd;
}

}  // namespace berth::cli

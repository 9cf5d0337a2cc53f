// Command: one node of the berth command tree, in cobra's shape as the
// docker CLI configures it (usage lines with [OPTIONS], aliases, argument
// count rules with docker's messages, help text in docker's template).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "cli/flags.h"

namespace berth::cli {

class Cli;

struct Command {
  using RunFn = std::function<Status(Cli&, const std::vector<std::string>&)>;

  std::string use;  // "images [OPTIONS] [REPOSITORY[:TAG]]"
  std::vector<std::string> aliases;
  std::string short_desc;
  int min_args = 0;
  int max_args = -1;  // -1: no limit
  FlagSet flags;
  RunFn run;
  std::vector<std::unique_ptr<Command>> children;
  Command* parent = nullptr;
  bool hidden = false;
  // false: flags end at the first argument (run IMAGE CMD -x, exec, top).
  bool interspersed = true;
  bool help = false;  // --help was given

  Command();
  Command* Add(std::unique_ptr<Command> child);
  std::string Name() const;
  // "berth image ls"
  std::string Path() const;
  // "berth image ls [OPTIONS] [REPOSITORY[:TAG]]"
  std::string UseLine() const;
  Command* Find(const std::string& name) const;
  // The usage text ("Usage:  …", options, sub-commands) docker prints for
  // --help, starting with an empty line.
  std::string Help() const;
  // Checks the argument count; docker's "\"berth tag\" requires exactly 2
  // arguments.\nSee …" errors.
  Status CheckArgs(const std::vector<std::string>& args) const;
};

}  // namespace berth::cli

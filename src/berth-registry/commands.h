// berth-registry's commands; each returns the process exit status.
#pragma once

#include "berth-registry/options.h"

namespace berth::registry_cli {

int Serve(const Options& o);
int UserCommand(const Options& o);
int GcCommand(const Options& o);
int RepoCommand(const Options& o);

// Command-line arguments after the command words: flags with values and
// positionals. Flags named in `bools` take no value.
struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> flags;
  bool Has(const std::string& name) const;
  std::string Get(const std::string& name) const;
};
Result<Args> ParseArgs(const std::vector<std::string>& in, size_t from,
                       const std::vector<std::string>& bools);
// The password from --password or --password-stdin (one line, newline
// stripped).
Result<std::string> ReadPassword(const Args& a);

}  // namespace berth::registry_cli

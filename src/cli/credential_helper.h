// Docker's credential helpers: an executable docker-credential-NAME on
// PATH, run once per operation with the action as its argument:
//   get     stdin: the server URL; stdout: {"ServerURL","Username","Secret"};
//           "credentials not found in native keychain" (exit != 0) when none
//   store   stdin: {"ServerURL","Username","Secret"}
//   erase   stdin: the server URL
// config.json names them: "credHelpers": {"<registry host>": "NAME"} for one
// registry, else "credsStore": "NAME" for all (ConfigFile picks).
#pragma once

#include <optional>
#include <string>

#include "base/error.h"

namespace berth::cli::credhelper {

struct Creds {
  std::string server_url, username, secret;
};

// Runs docker-credential-<name> <action> with input on stdin; its stdout.
// A helper that exits non-zero is an error carrying its output.
Result<std::string> Run(const std::string& name, const std::string& action, const std::string& input);

// nullopt when the helper has nothing for server_url.
Result<std::optional<Creds>> Get(const std::string& name, const std::string& server_url);
Status Store(const std::string& name, const Creds& c);
// Nothing stored is not an error.
Status Erase(const std::string& name, const std::string& server_url);

}  // namespace berth::cli::credhelper

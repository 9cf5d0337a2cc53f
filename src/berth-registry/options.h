// berth-registry's command line and config file.
//
//   berth-registry [serve] [--root DIR] [--addr HOST:PORT] [--config FILE] ...
//   berth-registry [--root DIR] user add|passwd|rm|list ...
//   berth-registry [--root DIR] gc [--dry-run] [--grace DURATION]
//   berth-registry [--root DIR] repo show|set NAME ...
//
// The config file is a JSON object whose keys are the long flag names
// without dashes ("addr", "root", "tls-cert", ...); flags override it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::registry_cli {

struct Options {
  std::string root;
  std::string addr = "127.0.0.1:5000";
  std::string addr_file;  // written with the bound address once listening
  std::string tls_cert, tls_key;
  std::string access_log = "-";  // "-" stderr, "off" none, else a file
  std::string log_level = "info";
  std::string realm, service = "berth-registry";
  std::string auth_challenge = "bearer";  // or "basic"
  std::chrono::seconds upload_timeout{3600};
  std::chrono::seconds token_ttl{900};
  bool insecure_remote = false;  // plain HTTP on a non-loopback address
  std::vector<std::string> args;  // the command and its own arguments
};

// Parses argv (global flags anywhere before the command's own arguments).
Result<Options> ParseOptions(int argc, char** argv);
// A Go duration (base/duration.h) in whole seconds, or bare seconds ("90")
// or days ("2d"). Negative durations are refused.
Result<std::chrono::seconds> ParseDuration(std::string_view s);
// The default --root: /var/lib/berth-registry for root, else
// $HOME/.local/share/berth-registry.
std::string DefaultRoot();
extern const char* const kUsage;

}  // namespace berth::registry_cli

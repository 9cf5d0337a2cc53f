// Shared by pull, push, search, login, logout: credentials for an image's
// registry and the progress display.
#pragma once

#include <string>

#include "cli/cli.h"
#include "cli/progress.h"

namespace berth::cli {

// X-Registry-Auth for the registry of image (or "" without a stored login).
std::string RegistryAuthFor(const std::string& server_key);
// A display on stdout: in place on a terminal, plain lines otherwise.
ProgressDisplay MakeDisplay(Cli& cli);

}  // namespace berth::cli

// Helpers the commands share: filters from --filter flags, docker's
// jsonmessage display, and output.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "cli/cli.h"
#include "cli/flags.h"
#include "client/client.h"

namespace berth::cli {

// --filter k=v (repeatable) with docker's check "bad format of filter
// (expected name=value)".
Flag& AddFilterFlag(FlagSet& flags, std::vector<std::string>* p, const std::string& usage);
client::Filters ParseFilters(const std::vector<std::string>& values);

// Prints docker's JSON progress messages ({"stream"}, {"status","id",
// "progress"}, {"error"}) as `docker load` shows them without a terminal;
// an error message becomes the returned error.
Status DisplayJsonMessage(Cli& cli, const client::json& m);

// Reads everything the user answers until a newline; true for y/Y.
bool Confirm(Cli& cli, const std::string& message);

}  // namespace berth::cli

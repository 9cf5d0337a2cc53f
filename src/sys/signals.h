// Signal names and numbers as runc and docker accept them: "KILL", "SIGKILL",
// "kill", "9", "RTMIN+3", "SIGRTMAX-1".
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace berth::sys {

Result<int> ParseSignal(std::string_view name);
// "SIGKILL", "SIGRTMIN+3"; "SIG<n>" for numbers without a name.
std::string SignalName(int sig);

}  // namespace berth::sys

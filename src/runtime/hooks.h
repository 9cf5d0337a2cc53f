// OCI hooks: each runs as a child process with the container state JSON on
// its stdin, its args (args[0] is argv[0]) and env, and an optional timeout.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::runtime {

// Runs hooks in order; the first failure stops the list. phase names the
// list in errors: "createRuntime hook /usr/bin/x: exit status 1".
Status RunHooks(const std::vector<oci::Hook>& hooks, const std::string& state_json,
                const char* phase);
// For poststart and poststop, whose failures must not stop the container's
// life cycle: runs every hook and logs each failure as a warning.
void RunHooksWarnOnly(const std::vector<oci::Hook>& hooks, const std::string& state_json,
                      const char* phase);

}  // namespace berth::runtime

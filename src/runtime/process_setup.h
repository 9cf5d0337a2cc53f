// Turning the current process into the one config.json describes, shared by
// the container's init and by exec: rlimits, oom score, user and groups,
// capabilities, no_new_privs, and finding and running the executable.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::runtime {

Status ApplyRlimits(const std::vector<oci::Rlimit>& rlimits);
Status ApplyOomScoreAdj(const std::optional<int>& adj);
// Bounding set, then uid/gid/groups (keeping capabilities across the
// switch), then effective/permitted/inheritable/ambient. Absent
// process.capabilities leaves them as they are.
Status SwitchUserAndCapabilities(const oci::Process& p);
// The executable for args[0]: as given when it holds a '/', else searched in
// the PATH of env. NotFound/PermissionDenied say why, as Docker reports them.
Result<std::string> LookPath(const std::string& file, const std::vector<std::string>& env);
// execve; returns only on failure, with the reason.
Error Exec(const std::string& path, const oci::Process& p);

}  // namespace berth::runtime

// JSON codec for the OCI runtime spec types.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::oci {

// Parses config.json. Errors name the field: "process.args: must be an array
// of strings". Unknown fields are ignored, as the spec requires.
Result<Spec> ParseSpec(std::string_view json);
Result<Spec> LoadSpec(const std::string& path);
nlohmann::json ToJson(const Spec& spec);

Result<Process> ParseProcess(std::string_view json);
nlohmann::json ToJson(const Process& process);

nlohmann::json ToJson(const State& state);
Result<State> ParseState(std::string_view json);

// Validation that the runtime needs before it touches the host: non-empty
// args, known namespace types, absolute mount destinations, root.path given.
Status Validate(const Spec& spec);

// The default config.json that `berth-runtime spec` writes: the same as
// runc's (default capabilities, mounts, masked and read-only paths), with
// process.args ["sh"] and terminal true. rootless: user namespace with the
// caller's id mapped to 0, no /sys cgroup mount, as `runc spec --rootless`.
Spec DefaultSpec(bool rootless = false);

}  // namespace berth::oci

// JSON codec for the OCI runtime spec types.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::oci {

// Parses config.json. Errors (InvalidArgument) name the JSON path:
// "process.args[2]: expected string, got number",
// "process.user.uid: must not be negative, got -1"; malformed JSON gives
// "invalid JSON at line L, column C: ...". Unknown fields and null values are
// ignored (a null member reads as absent).
Result<Spec> ParseSpec(std::string_view json);
// Reads and parses a file: "open /b/config.json: No such file or directory",
// "parse /b/config.json: process.args[2]: ...".
Result<Spec> LoadSpec(const std::string& path);
// The inverse of ParseSpec: absent optionals and empty strings, lists and maps
// are left out; "process" only when spec.has_process.
nlohmann::json ToJson(const Spec& spec);
// As ToJson, with members in runc's order (for writing config.json).
nlohmann::ordered_json ToOrderedJson(const Spec& spec);

// process.json for `exec --process`.
Result<Process> ParseProcess(std::string_view json);
nlohmann::json ToJson(const Process& process);
nlohmann::ordered_json ToOrderedJson(const Process& process);

// {"ociVersion","id","status","pid","bundle","annotations"}; annotations
// left out when empty.
nlohmann::json ToJson(const State& state);
nlohmann::ordered_json ToOrderedJson(const State& state);
Result<State> ParseState(std::string_view json);

// Validation that the runtime needs before it touches the host: root.path
// given; process present with non-empty args and an absolute cwd; known and
// unique rlimit and namespace types; absolute mount destinations, namespace
// paths and hook paths; positive hook timeouts; uid and gid mappings when a
// new user namespace is created, and no mappings without a user namespace. Errors name the field:
// `linux.namespaces[3].type: unknown namespace type "foo"`. Seccomp actions
// and operators are checked by the seccomp module, not here.
Status Validate(const Spec& spec);

// The default config.json that `berth-runtime spec` writes: the same as
// runc's (default capabilities, mounts, masked and read-only paths), with
// process.args ["sh"], terminal true and hostname "berth". rootless, as
// `runc spec --rootless` (runc 1.1): a user namespace with the caller's uid
// and gid mapped to 0, no network namespace, /sys bind-mounted from the host,
// no gid=5 on /dev/pts and no device cgroup rule.
Spec DefaultSpec(bool rootless = false);

}  // namespace berth::oci

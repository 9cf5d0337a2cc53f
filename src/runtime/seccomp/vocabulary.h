// The names linux.seccomp uses (actions, comparison operators, architectures,
// filter flags) and their libseccomp / kernel values.
//
// Parse* functions return an InvalidArgument error that quotes the unknown
// name; callers prepend the field ("linux.seccomp.syscalls[3].action").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace berth::seccomp {

// Resolves an action name and its optional errnoRet into a libseccomp action
// value. ERRNO and TRACE default to EPERM; errnoRet with any other action is
// an error, as is SCMP_ACT_NOTIFY (not implemented).
Result<uint32_t> ParseAction(std::string_view name, std::optional<uint32_t> errno_ret);
Result<int> ParseOperator(std::string_view name);           // enum scmp_compare
Result<uint32_t> ParseArchitecture(std::string_view name);  // SCMP_ARCH_* token
Result<unsigned> ParseFlag(std::string_view name);          // SECCOMP_FILTER_FLAG_*

// KnownActions() and friends, declared in seccomp.h, are defined beside these.

}  // namespace berth::seccomp

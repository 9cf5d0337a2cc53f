// Argument comparisons of one linux.seccomp.syscalls[] entry, turned into the
// libseccomp rules that express them.
//
// The spec ANDs all args of an entry. libseccomp can compare each argument at
// most once per rule, so an entry that compares one argument several times
// is expanded:
//   - if every repeated argument is compared only with SCMP_CMP_EQ, the
//     comparisons of that argument are alternatives (an argument cannot equal
//     two values at once): one rule per combination, each keeping the
//     comparisons of the other arguments ("a0 == 1 or a0 == 2, and a1 > 5");
//   - otherwise, as runc and crun do, each comparison becomes a rule of its
//     own (OR semantics), and a warning is logged.
#pragma once

#include <seccomp.h>

#include <vector>

#include "base/error.h"

namespace berth::seccomp {

using Conditions = std::vector<scmp_arg_cmp>;

// Upper bound on the rules one entry may expand to.
inline constexpr size_t kMaxExpandedRules = 256;

// Returns the condition sets to add as separate rules (one empty set when
// there are no conditions). Fails when the expansion would exceed
// kMaxExpandedRules. `field` names the entry in log lines.
Result<std::vector<Conditions>> ExpandConditions(const Conditions& conditions,
                                                 const std::string& field);

}  // namespace berth::seccomp

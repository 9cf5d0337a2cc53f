#include "runtime/seccomp/conditions.h"

#include <fmt/format.h>

#include <array>

#include "base/log.h"

namespace berth::seccomp {
namespace {

constexpr unsigned kMaxArgs = 6;

bool AllEqual(const Conditions& group) {
  for (const scmp_arg_cmp& c : group) {
    if (c.op != SCMP_CMP_EQ) return false;
  }
  return true;
}

// One rule per comparison.
std::vector<Conditions> Separate(const Conditions& conditions) {
  std::vector<Conditions> out;
  for (const scmp_arg_cmp& c : conditions) out.push_back({c});
  return out;
}

}  // namespace

Result<std::vector<Conditions>> ExpandConditions(const Conditions& conditions,
                                                 const std::string& field) {
  std::array<Conditions, kMaxArgs> by_arg;
  bool repeated = false;
  for (const scmp_arg_cmp& c : conditions) {
    if (c.arg >= kMaxArgs) return Error::Internal(fmt::format("argument index {} >= 6", c.arg));
    by_arg[c.arg].push_back(c);
    repeated = repeated || by_arg[c.arg].size() > 1;
  }
  if (!repeated) return std::vector<Conditions>{conditions};

  size_t combinations = 1;
  for (const Conditions& group : by_arg) {
    if (group.size() > 1 && !AllEqual(group)) {
      log::Warn(
          "{}: an argument is compared more than once with operators other than "
          "SCMP_CMP_EQ; each comparison becomes a separate rule (matched if any holds)",
          field);
      return Separate(conditions);
    }
    if (!group.empty()) combinations *= group.size();
    if (combinations > kMaxExpandedRules) {
      return Error::Invalid(
          fmt::format("{}: args expand to more than {} rules", field, kMaxExpandedRules));
    }
  }

  // Cartesian product over the argument groups, in argument order.
  std::vector<Conditions> out{Conditions{}};
  for (const Conditions& group : by_arg) {
    if (group.empty()) continue;
    std::vector<Conditions> next;
    next.reserve(out.size() * group.size());
    for (const Conditions& prefix : out) {
      for (const scmp_arg_cmp& c : group) {
        next.push_back(prefix);
        next.back().push_back(c);
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace berth::seccomp

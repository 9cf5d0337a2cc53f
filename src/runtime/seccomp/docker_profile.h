// Docker's seccomp profile format, resolved into linux.seccomp.
//
// Vocabulary: a Docker profile (moby's profiles/seccomp format) is
// linux.seccomp plus conditions: `archMap` lists, per native architecture,
// the sub-architectures to add; each syscalls[] entry may carry `includes`
// and `excludes` ({caps, arches, minKernel}). An entry applies when all its
// included caps are held, the architecture is among its included arches (if
// any), the kernel is at least its minKernel, and none of its excluded caps
// or arches match. Architectures here are Go's names ("amd64", "arm64").
//
// The engine passes the container's capability set, so `--cap-add
// SYS_ADMIN` also lifts the filter on mount/unshare/... as in Docker.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::seccomp {

struct KernelVersion {
  int major = 0;
  int minor = 0;
  friend auto operator<=>(const KernelVersion&, const KernelVersion&) = default;
};

// The running kernel's version from uname(2).
Result<KernelVersion> RunningKernel();

// Resolves a Docker profile for a container holding `caps` ("CAP_SYS_ADMIN";
// "SYS_ADMIN" is accepted too) on `arch`. Errors name the profile field
// ("seccomp profile: syscalls[3].includes.caps: expected an array of strings").
Result<oci::Seccomp> FromDockerProfile(std::string_view profile_json,
                                       const std::vector<std::string>& caps,
                                       std::string_view arch = "amd64");
// As above, for the given kernel instead of the running one.
Result<oci::Seccomp> FromDockerProfile(std::string_view profile_json,
                                       const std::vector<std::string>& caps, std::string_view arch,
                                       KernelVersion kernel);

// Docker's default profile (docker_default_profile.json, built in).
std::string_view DefaultDockerProfile();

}  // namespace berth::seccomp

// Seccomp filters for containers (runtime-spec linux.seccomp).
//
// Vocabulary: Build() compiles linux.seccomp with libseccomp into a Filter, a
// classic-BPF program plus the seccomp() flags to load it with; Load()
// installs it on the calling process.
//
// Invariants:
//   - Build() runs before fork/pivot_root, so every error in the profile is
//     reported early and names its field ("linux.seccomp.syscalls[3].action:
//     unknown action \"SCMP_ACT_FOO\""). It never changes the caller.
//   - Load() is one seccomp(2) call: no allocation on success, safe in a
//     forked child. It never sets no_new_privs; without it the caller needs
//     CAP_SYS_ADMIN.
//   - Syscall names this libseccomp does not know on this architecture are
//     skipped (logged at debug level), as runc does; so are rules whose
//     action equals the default action, and architectures of the other
//     endianness (no such process runs on this kernel). The native
//     architecture is always in the filter.
//   - How args that compare one argument several times are handled:
//     conditions.h.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "oci/runtime_spec.h"

namespace berth::seccomp {

class Filter {
 public:
  Filter(Filter&&) noexcept = default;
  Filter& operator=(Filter&&) noexcept = default;
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  // Installs the filter on the calling thread (all threads with
  // SECCOMP_FILTER_FLAG_TSYNC).
  Status Load() const;

  // The compiled program, for inspection and tests.
  const std::vector<sock_filter>& program() const { return program_; }
  // SECCOMP_FILTER_FLAG_* bits passed to seccomp(2).
  unsigned flags() const { return flags_; }

 private:
  friend Result<Filter> Build(const oci::Seccomp& spec);
  friend Result<Filter> BuildCached(const oci::Seccomp& spec, const std::string& cache_dir);
  Filter(std::vector<sock_filter> program, unsigned flags)
      : program_(std::move(program)), flags_(flags) {}

  std::vector<sock_filter> program_;
  unsigned flags_ = 0;
};

// Compiles linux.seccomp; does not load it.
Result<Filter> Build(const oci::Seccomp& spec);

// As Build, through an on-disk cache of compiled programs (compiling
// Docker's default profile costs tens of milliseconds; loading it, well
// under one). Layout: <cache_dir>/<hex>.bpf, the raw sock_filter array,
// where hex = sha256 of the canonical linux.seccomp JSON, the machine and
// the libseccomp version. Entries are written atomically (tmp + rename) and
// checked on load (a whole number of instructions, within the kernel's
// limit, ending in a return); a bad entry is rebuilt and replaced. A cache
// that cannot be read or written only costs the compile. "" disables it.
Result<Filter> BuildCached(const oci::Seccomp& spec, const std::string& cache_dir);

// For `berth-runtime features`: the names Build() accepts.
std::vector<std::string> KnownActions();
std::vector<std::string> KnownOperators();
std::vector<std::string> KnownArchitectures();
std::vector<std::string> KnownFlags();

}  // namespace berth::seccomp

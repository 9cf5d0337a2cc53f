// The build context the CLI sends: the context directory as a tar, with
// .dockerignore applied (the Dockerfile and .dockerignore are always sent)
// and, when the Dockerfile lives elsewhere (-f outside the context, -f -),
// the Dockerfile added under a name of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "base/error.h"

namespace berth::cli {

struct ContextSpec {
  std::string dir;                       // the context directory
  std::string dockerfile_in_context;     // relative path, when inside
  std::optional<std::string> extra_dockerfile;  // contents, when outside or stdin
  std::string extra_name;                // its name in the tar
  // Regular files by reference (their absolute path, no data: see
  // build/context.h), when the daemon is on this host and takes them.
  bool by_reference = false;
};

// Writes the context tar to fd (a pipe the request body reads). Entries are
// owned by 0:0 as Docker's CLI sends them.
// With spec.by_reference, *referenced (when given) adds up the sizes of the
// files sent by reference, for the "Sending build context" line.
Status WriteContextTar(const ContextSpec& spec, int fd, std::atomic<uint64_t>* referenced = nullptr);

}  // namespace berth::cli

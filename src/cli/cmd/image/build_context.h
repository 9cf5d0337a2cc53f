// The build context the CLI sends: the context directory as a tar, with
// .dockerignore applied (the Dockerfile and .dockerignore are always sent)
// and, when the Dockerfile lives elsewhere (-f outside the context, -f -),
// the Dockerfile added under a name of its own.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"

namespace berth::cli {

struct ContextSpec {
  std::string dir;                       // the context directory
  std::string dockerfile_in_context;     // relative path, when inside
  std::optional<std::string> extra_dockerfile;  // contents, when outside or stdin
  std::string extra_name;                // its name in the tar
};

// Writes the context tar to fd (a pipe the request body reads). Entries are
// owned by 0:0 as Docker's CLI sends them.
Status WriteContextTar(const ContextSpec& spec, int fd);

}  // namespace berth::cli

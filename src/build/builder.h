// `docker build` (the classic builder): a Dockerfile and a context
// directory become an image, one step at a time, through a Backend.
//
// Phases: parse → plan (meta ARGs, stages, the target and the stages it
// needs; others are skipped) → for each needed stage: FROM, ONBUILD
// triggers, then each instruction → tags.
//
// Each step ends with an image (Docker's intermediate images): steps that
// only change the config commit an image without a layer; RUN commits the
// container's changes; COPY, ADD and WORKDIR (when it creates the
// directory) write their layer tar directly. Each step's container_config
// (its Cmd being the step's "#(nop) …" text or the RUN command with the
// build args in effect) is its cache key: a child of the same parent with
// an equal container_config is reused (" ---> Using cache"), so a rebuild
// of an unchanged Dockerfile and context writes nothing.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "build/backend.h"

namespace berth::build {

struct BuildOptions {
  std::string dockerfile;                  // its text
  std::string dockerfile_name = "Dockerfile";
  std::string context_dir;                 // the unpacked context ("": none)
  // sha256 ("sha256:…") of the context's regular files by relative path, when
  // the caller hashed them while unpacking (else COPY hashes them itself).
  std::map<std::string, std::string> context_digests;
  std::vector<std::string> tags;
  std::map<std::string, std::optional<std::string>> build_args;  // nullopt: from the environment, unset
  std::map<std::string, std::string> labels;
  std::string target;
  bool no_cache = false;
  bool remove = true;        // --rm: intermediate containers removed after a successful step
  bool force_remove = false; // --force-rm: always
  std::string network_mode;  // for RUN
  std::vector<std::string> cache_from;
};

struct BuildOutput {
  std::function<void(std::string_view)> stream;  // Docker's "stream" text
  std::function<void(const std::string&)> aux;   // an image ID (each stage's)
  std::function<void(int)> run_failed;           // a RUN's non-zero exit code
};

// Returns the final image ID. Errors carry Docker's messages.
Result<std::string> Build(Backend& backend, const BuildOptions& options, const BuildOutput& out);

}  // namespace berth::build

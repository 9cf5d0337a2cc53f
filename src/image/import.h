// `docker import -c`: Dockerfile instructions applied to an image's run
// config (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, USER, VOLUME,
// WORKDIR, STOPSIGNAL), JSON or shell form.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "image/image_config.h"

namespace berth::image {

// Applies changes in order to config. An unknown instruction is
// kInvalidArgument "<instr> is not a valid change command".
Status ApplyChanges(const std::vector<std::string>& changes, RunConfig* config);

}  // namespace berth::image

// The build context as berthd receives it: a tar stream (plain or
// compressed) unpacked into a directory, its regular files hashed on the
// way (so COPY's cache key costs no second read).
#pragma once

#include <map>
#include <string>

#include "base/error.h"

namespace berth::build {

// Unpacks the tar read from fd into dir (which exists). Names that leave
// dir ("..", absolute, through symlinks) are refused. digests gets
// "sha256:…" of each regular file by its relative path. An empty stream is
// an empty context.
Status UnpackContext(int fd, const std::string& dir, std::map<std::string, std::string>* digests);

}  // namespace berth::build

// The build context as berthd receives it: a tar stream (plain or
// compressed) unpacked into a directory, its regular files hashed on the
// way (so COPY's cache key costs no second read).
//
// Local contexts: berth's CLI, talking to berthd over the unix socket,
// sends its regular files by reference instead of by content: such an
// entry has no data and an extended attribute kSourceXattr (a PAX
// "LIBARCHIVE.xattr.berth.source" record) holding the file's absolute path
// on this host. berthd hard-links the file into the context directory
// (copies it when the link is refused, e.g. across filesystems) and takes
// its digest from a DigestCache, so an unchanged context costs a walk and
// no reads. A client on the unix socket is root-equivalent (it may bind
// mount any host path into a container), so reading host paths for it
// gives nothing away; over TCP such entries are refused.
#pragma once

#include <map>
#include <string>

#include "base/error.h"

namespace berth::build {

class DigestCache;

inline constexpr const char* kSourceXattr = "berth.source";

struct UnpackOptions {
  bool allow_sources = false;      // accept by-reference entries (unix socket)
  DigestCache* cache = nullptr;    // digests of by-reference files (required with them)
};

// Unpacks the tar read from fd into dir (which exists). Names that leave
// dir ("..", absolute, through symlinks) are refused. digests gets
// "sha256:…" of each regular file by its relative path. An empty stream is
// an empty context.
Status UnpackContext(int fd, const std::string& dir, std::map<std::string, std::string>* digests,
                     const UnpackOptions& options = {});

}  // namespace berth::build

// A COPY/ADD/WORKDIR layer written as files instead of as a tar.
//
// WriteLayerDir lays a step's entries (layer_tar.h) out in an empty
// directory exactly as unpacking WriteLayerTar's tar would: the same names,
// kinds, modes, owners, whole-second mtimes and contents, and nothing else.
// PackLayerDir writes, from such a directory alone, the tar WriteLayerTar
// writes for those entries, byte for byte. The image store uses the pair as
// its "build-entries-v1" layer packer (image_store.h: StoreOptions::packers):
// it hashes PackLayerDir's bytes for the diff ID and produces the tar again
// only when a push or save needs it. So a COPY of 50 MB costs one copy of
// the data (copy_file_range: in the kernel, or a reflink) and one read to
// hash it, where a tar file, a blob and an unpack cost four writes.
//
// Files are copied, never hard-linked: a link would share the inode with
// the build context (the user's own file), whose later changes would then
// change the layer.
#pragma once

#include <string>

#include "base/error.h"
#include "build/layer_tar.h"
#include "build/tar_writer.h"

namespace berth::build {

inline constexpr char kLayerDirPacker[] = "build-entries-v1";

// Creates entries (parents before children, as a map orders them) in dir,
// which exists and is empty. Every entry's parent must be an entry too (or
// the root). Regular files are copied from their source (exactly the size
// the source has when opened; a source that shrinks meanwhile is an error).
Status WriteLayerDir(const TarEntries& entries, const std::string& dir);

// The tar of the directories, regular files and symlinks below dir (dir
// itself left out), as WriteLayerTar writes the same entries. Anything else
// (devices, fifos, sockets) is an error: WriteLayerDir makes none.
Status PackLayerDir(const std::string& dir, const TarWriter::Sink& sink);

// The entries PackLayerDir packs (for tests and PackLayerDir itself).
Result<TarEntries> EntriesOfDir(const std::string& dir);

}  // namespace berth::build

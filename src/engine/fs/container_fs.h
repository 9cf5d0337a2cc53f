// A container's filesystem, as `docker diff`, `commit`, `export` and `cp`
// see it. The container's writable layer is an overlay upper dir; its image
// layers are the lower dirs (top first, ':'-joined, as
// image::ImageStore::LayerDirs gives them).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::engine::fs {

// Kind as the Engine API numbers it: 0 modified, 1 added, 2 deleted.
struct Change {
  std::string path;  // "/etc/passwd"
  int kind = 0;
};
// GET /containers/{id}/changes: from the upper dir (overlay whiteouts are
// deletions, opaque dirs replace the lower ones; a path present below is
// "modified", otherwise "added"; parents of changed paths are modified),
// sorted by path as Docker prints them. Excludes paths listed in
// `excluded` (the /etc files, volume mount points).
Result<std::vector<Change>> Changes(const std::string& upper_dir, const std::string& lower_dirs,
                                    const std::vector<std::string>& excluded);
nlohmann::json ToJson(const std::vector<Change>& changes);

// Writes the upper dir as a layer tar (Docker whiteouts .wh.<name> and
// .wh..wh..opq) to out_fd; skips `excluded`.
Status PackChanges(const std::string& upper_dir, const std::vector<std::string>& excluded,
                   int out_fd);

// GET /containers/{id}/export: the whole merged rootfs as a tar.
Status ExportRootfs(const std::string& merged_dir, const std::vector<std::string>& excluded,
                    int out_fd);

// The archive API (docker cp). `path` is inside the container; it is
// resolved under merged_dir with symlinks followed *inside* the root (never
// escaping it), as moby's containerfs does.
struct PathStat {
  std::string name;
  int64_t size = 0;
  uint32_t mode = 0;     // Go os.FileMode bits (dir = 1<<31, symlink = 1<<27, ...)
  std::string mtime;     // RFC 3339 nano
  std::string link_target;
};
// HEAD /containers/{id}/archive: kNotFound "Could not find the file <path>
// in container <id>" when missing.
Result<PathStat> StatPath(const std::string& merged_dir, const std::string& path);
// The X-Docker-Container-Path-Stat header value (base64 of its JSON).
std::string EncodeStatHeader(const PathStat& st);
// GET: a tar of path (a directory with its contents, named by its base name).
Status ArchivePath(const std::string& merged_dir, const std::string& path, int out_fd);
// PUT: extracts the tar from in_fd into the directory path (which must exist
// and be a directory); noOverwriteDirNonDir refuses to replace a directory
// by a non-directory or the reverse; copy_uid_gid keeps the tar's owners
// (else files become root-owned as Docker does by default... see moby).
Status ExtractToPath(const std::string& merged_dir, const std::string& path, int in_fd,
                     bool no_overwrite_dir_non_dir, bool copy_uid_gid);

}  // namespace berth::engine::fs

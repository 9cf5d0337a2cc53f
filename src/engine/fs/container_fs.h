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
// in Docker's order: a depth-first walk of the upper dir, names sorted
// bytewise, a parent before its children. Details:
//   - lower_dirs are looked up top first; a whiteout or an opaque dir in a
//     lower layer hides what is below it; symlinks in lower layers are not
//     followed.
//   - an opaque dir that exists below is reported deleted (then its
//     contents added), as moby's overlay driver does.
//   - a directory present below is "modified" only when its type, mode or
//     owner differ, or as the parent of a change (not for its mtime alone:
//     an excluded file written into it must not show up).
// Excludes paths listed in `excluded` (the /etc files, volume mount
// points), container-absolute, with everything below them.
Result<std::vector<Change>> Changes(const std::string& upper_dir, const std::string& lower_dirs,
                                    const std::vector<std::string>& excluded);
nlohmann::json ToJson(const std::vector<Change>& changes);

// Writes the upper dir as a layer tar (Docker whiteouts .wh.<name> and
// .wh..wh..opq) to out_fd; skips `excluded`. Returns the tar's diff ID.
Result<std::string> PackChanges(const std::string& upper_dir,
                                const std::vector<std::string>& excluded, int out_fd);

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
// in container <id>" when missing. The last element is not followed (a
// symlink is reported as one, with link_target its target resolved in the
// root) unless the path ends in "/" or "/.".
Result<PathStat> StatPath(const std::string& merged_dir, const std::string& path,
                          const std::string& container_id);
// The X-Docker-Container-Path-Stat header value (base64 of its JSON).
std::string EncodeStatHeader(const PathStat& st);
// GET: a tar of path (a directory with its contents, named by its base name;
// a symlink as the link itself unless the path ends in "/"). The root ("/")
// gives its contents without a root entry. The caller sends the stat header
// first (StatPath), so a missing path is reported before any byte is sent.
Status ArchivePath(const std::string& merged_dir, const std::string& path, int out_fd,
                   const std::string& container_id);
// PUT: extracts the tar (plain, gzip or zstd) from in_fd into the directory
// path, resolved in the root with the last element followed too. Errors:
// kNotFound "Could not find the file <path> in container <id>";
// kInvalidArgument "extraction point is not a directory";
// no_overwrite_dir_non_dir refuses to replace a directory by a non-directory
// ("cannot overwrite directory "/a" with non-directory "/dst"") or the
// reverse ("cannot overwrite non-directory ... with directory ...").
// Owners, as moby: by default the tar's uid/gid are kept as they are; with
// copy_uid_gid every extracted file is chowned to the container's user
// (`user` is Config.User: "name", "uid", "name:group" or "uid:gid", looked
// up in the container's /etc/passwd and /etc/group; "" means root).
// Entries may not leave the extraction point (a symlink on the way that
// points outside it is refused); `.wh.` entries are skipped (they would be
// overlay whiteouts here). The read-only rootfs / volume checks are the
// caller's.
Status ExtractToPath(const std::string& merged_dir, const std::string& path, int in_fd,
                     bool no_overwrite_dir_non_dir, bool copy_uid_gid, const std::string& user,
                     const std::string& container_id);

// The first drafts of the three calls above, kept for callers written
// against them: no container ID in the not-found text ("... in container "),
// and copy_uid_gid chowns to root (the container's user is not known).
Result<PathStat> StatPath(const std::string& merged_dir, const std::string& path);
Status ArchivePath(const std::string& merged_dir, const std::string& path, int out_fd);
Status ExtractToPath(const std::string& merged_dir, const std::string& path, int in_fd,
                     bool no_overwrite_dir_non_dir, bool copy_uid_gid);

}  // namespace berth::engine::fs

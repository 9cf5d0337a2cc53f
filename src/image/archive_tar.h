// The outer tar of `docker load` / `docker save` (not layer tars: those are
// layer/layer.h's business). Reading keeps small members in memory and
// streams big ones into the content store; writing emits PAX tar entries.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/digest.h"
#include "base/error.h"
#include "image/content_store.h"

struct archive;

namespace berth::image {

struct ArchiveMember {
  bool in_memory = false;
  std::string data;  // when in_memory
  Digest blob;       // otherwise: a committed blob of the content store
  int64_t size = 0;
  std::string link;  // symlink or hard link target (archive path), else ""
};

class ArchiveFiles {
 public:
  // The member at path ("./a/b" and "a/b" are the same), following links
  // inside the archive. nullptr when absent.
  const ArchiveMember* Find(std::string_view path) const;
  bool Has(std::string_view path) const { return Find(path) != nullptr; }
  // The bytes of a member: memory, or a read of its blob (up to max).
  Result<std::string> Read(std::string_view path, const ContentStore& content,
                           size_t max = 64 << 20) const;
  // The member as a blob, writing it to the content store when it was kept
  // in memory.
  Result<Digest> Blob(std::string_view path, ContentStore& content) const;
  std::map<std::string, ArchiveMember>& members() { return members_; }
  const std::map<std::string, ArchiveMember>& members() const { return members_; }

 private:
  std::map<std::string, ArchiveMember> members_;
};

// "./a//b/" -> "a/b"; an entry climbing out ("../x") is refused.
Result<std::string> CleanArchivePath(std::string_view name);

// Reads a tar stream from fd. Regular members up to memory_limit bytes stay
// in memory; bigger ones become blobs (pin is called with each blob's
// digest string as soon as it is committed).
Result<ArchiveFiles> ReadArchive(int fd, ContentStore& content,
                                 const std::function<void(const Digest&)>& pin,
                                 int64_t memory_limit = 1 << 20);

class TarWriter {
 public:
  explicit TarWriter(int fd) : fd_(fd) {}
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  Status Open();
  Status AddDir(const std::string& name, int64_t mtime);
  Status AddFile(const std::string& name, std::string_view data, int64_t mtime);
  // Streams size bytes from src_fd.
  Status AddFileFromFd(const std::string& name, int src_fd, int64_t size, int64_t mtime);
  Status AddSymlink(const std::string& name, const std::string& target, int64_t mtime);
  Status Close();

 private:
  Status Header(const std::string& name, unsigned type, int64_t size, int64_t mtime,
                const std::string& link);
  int fd_;
  struct archive* a_ = nullptr;
};

}  // namespace berth::image

#include "image/content_store.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "base/fs.h"
#include "base/random.h"

namespace berth::image {
namespace {

constexpr mode_t kBlobMode = 0444;
constexpr uint64_t kWritebackChunk = 8u << 20;

Result<std::string> RandomName() {
  return rnd::Hex(12);
}

Status FsyncDir(const std::string& dir) {
  unique_fd fd = BERTH_TRY(fs::Open(dir, O_RDONLY | O_DIRECTORY));
  if (::fsync(fd.get()) < 0) return Error::Sys("fsync " + dir);
  return Ok();
}

Error BlobNotFound(const Digest& d) {
  return Error(Code::kNotFound, "blob " + d.str() + ": not found", ENOENT);
}

}  // namespace

// --- BlobWriter ---

BlobWriter::~BlobWriter() { Abort(); }

void BlobWriter::Abort() {
  if (!fd_.valid()) return;
  fd_.reset();
  ::unlink(store_->IngestPath(name_).c_str());
  store_->Release(name_);
}

Status BlobWriter::Write(std::span<const std::byte> data) {
  if (!fd_.valid()) return Error::Internal("content store: write after commit");
  std::string_view chars(reinterpret_cast<const char*>(data.data()), data.size());
  BERTH_TRY_CTX(fs::WriteAll(fd_.get(), chars), "write " + store_->IngestPath(name_));
  hash_.Update(data);
  // Let the disk work while the stream goes on, so the final sync is short.
  if (hash_.size() - written_back_ >= kWritebackChunk) {
    fs::StartWriteback(fd_.get(), static_cast<off_t>(written_back_),
                       static_cast<off_t>(hash_.size() - written_back_));
    written_back_ = hash_.size();
  }
  return Ok();
}

Status BlobWriter::Write(std::string_view data) { return Write(std::as_bytes(std::span(data))); }

Result<Digest> BlobWriter::Commit(const std::optional<Digest>& expected, int64_t expected_size) {
  if (!fd_.valid()) return Error::Internal("content store: commit of a finished writer");
  const int64_t size = static_cast<int64_t>(hash_.size());
  const Digest got = hash_.Final();
  if (expected_size >= 0 && size != expected_size) {
    Abort();
    return Error::Invalid("size mismatch: expected " + std::to_string(expected_size) +
                          " bytes, got " + std::to_string(size));
  }
  if (expected && *expected != got) {
    Abort();
    return Error::Invalid("digest mismatch: expected " + expected->str() + ", got " + got.str());
  }
  const std::string from = store_->IngestPath(name_);
  const std::string to = store_->BlobPath(got);
  if (::fchmod(fd_.get(), kBlobMode) < 0) {
    Error e = Error::Sys("chmod " + from);
    Abort();
    return e;
  }
  if (!defer_sync_ && ::fsync(fd_.get()) < 0) {
    Error e = Error::Sys("fsync " + from);
    Abort();
    return e;
  }
  int rc = ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE);
  if (rc < 0 && (errno == EINVAL || errno == ENOSYS)) rc = ::rename(from.c_str(), to.c_str());
  if (rc < 0 && errno != EEXIST) {
    Error e = Error::Sys("rename " + from + " to " + to);
    Abort();
    return e;
  }
  if (rc < 0) {
    Abort();  // the same content is already committed
  } else {
    fd_.reset();
    store_->Release(name_);
    if (!defer_sync_) BERTH_TRY(FsyncDir(store_->BlobDir()));
  }
  return got;
}

// --- ContentStore ---

Result<std::unique_ptr<ContentStore>> ContentStore::Open(const std::string& root) {
  std::unique_ptr<ContentStore> store(new ContentStore(root));
  BERTH_TRY_CTX(fs::MkdirAll(store->BlobDir(), 0755), "open content store");
  BERTH_TRY_CTX(fs::MkdirAll(fs::Join(root, "ingest"), 0700), "open content store");
  return store;
}

std::string ContentStore::BlobDir() const { return fs::Join(root_, "blobs/sha256"); }
std::string ContentStore::BlobPath(const Digest& d) const { return BlobDir() + "/" + d.hex(); }
std::string ContentStore::IngestPath(const std::string& name) const {
  return fs::Join(root_, "ingest") + "/" + name;
}

void ContentStore::Release(const std::string& name) {
  std::lock_guard lock(mu_);
  active_.erase(name);
}

Result<std::unique_ptr<BlobWriter>> ContentStore::NewWriter() {
  for (int attempt = 0;; ++attempt) {
    std::string name = BERTH_TRY(RandomName());
    std::string path = IngestPath(name);
    // Under mu_, so SweepIngest never sees the file without its owner.
    std::lock_guard lock(mu_);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST && attempt < 3) continue;
      return Error::Sys("create " + path);
    }
    active_.insert(name);
    return std::unique_ptr<BlobWriter>(new BlobWriter(this, std::move(name), unique_fd(fd)));
  }
}

Result<Digest> ContentStore::WriteBlob(std::string_view data,
                                       const std::optional<Digest>& expected) {
  auto writer = BERTH_TRY(NewWriter());
  BERTH_TRY(writer->Write(data));
  return writer->Commit(expected, static_cast<int64_t>(data.size()));
}

bool ContentStore::Has(const Digest& digest) const {
  struct stat st;
  return !digest.empty() && ::stat(BlobPath(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<int64_t> ContentStore::Size(const Digest& digest) const {
  struct stat st;
  if (::stat(BlobPath(digest).c_str(), &st) < 0) {
    if (errno == ENOENT) return BlobNotFound(digest);
    return Error::Sys("stat " + BlobPath(digest));
  }
  return static_cast<int64_t>(st.st_size);
}

Result<unique_fd> ContentStore::Open(const Digest& digest) const {
  int fd = ::open(BlobPath(digest).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return BlobNotFound(digest);
    return Error::Sys("open " + BlobPath(digest));
  }
  return unique_fd(fd);
}

Result<std::string> ContentStore::ReadAll(const Digest& digest, size_t max_size) const {
  unique_fd fd = BERTH_TRY(Open(digest));
  struct stat st;
  if (::fstat(fd.get(), &st) < 0) return Error::Sys("stat " + BlobPath(digest));
  if (static_cast<uint64_t>(st.st_size) > max_size)
    return Error::Invalid("blob " + digest.str() + " is " + std::to_string(st.st_size) +
                          " bytes, more than the " + std::to_string(max_size) + " read whole");
  std::string data = BERTH_TRY_CTX(fs::ReadFd(fd.get()), BlobPath(digest));
  Digest got = Sha256Of(data);
  if (got != digest)
    return Error::Internal("blob " + digest.str() + " is corrupt: its content hashes to " +
                           got.str());
  return data;
}

Status ContentStore::Delete(const Digest& digest) {
  if (::unlink(BlobPath(digest).c_str()) < 0) {
    if (errno == ENOENT) return BlobNotFound(digest);
    return Error::Sys("remove " + BlobPath(digest));
  }
  return Ok();
}

Result<std::vector<Digest>> ContentStore::List() const {
  auto names = BERTH_TRY(fs::ListDir(BlobDir()));
  std::vector<Digest> out;
  for (const std::string& name : names) {
    auto d = Digest::FromHex(name);
    if (d.ok()) out.push_back(std::move(d).value());  // anything else is not ours
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<int> ContentStore::SweepIngest() {
  auto names = BERTH_TRY(fs::ListDir(fs::Join(root_, "ingest")));
  int removed = 0;
  std::lock_guard lock(mu_);
  for (const std::string& name : names) {
    if (active_.count(name)) continue;
    BERTH_TRY_CTX(fs::RemoveAll(IngestPath(name)), "sweep ingest");
    ++removed;
  }
  return removed;
}

}  // namespace berth::image

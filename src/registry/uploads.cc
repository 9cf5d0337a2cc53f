#include "registry/uploads.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "base/fs.h"
#include "base/log.h"
#include "base/random.h"

namespace berth::registry {
namespace {

constexpr size_t kChunk = 1u << 20;

// Last activity of an upload: its data file's mtime, else the directory's.
std::chrono::system_clock::time_point LastActivity(const std::string& dir) {
  struct stat st;
  if (stat((dir + "/data").c_str(), &st) != 0 && stat(dir.c_str(), &st) != 0) return {};
  return std::chrono::system_clock::time_point(std::chrono::seconds(st.st_mtim.tv_sec));
}

}  // namespace

std::string NewUploadId() { return rnd::Uuid(); }

bool ValidUploadId(std::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> Uploads::Start(const std::string& repo) {
  std::string id = NewUploadId();
  std::string dir = Dir(id);
  if (mkdir(dir.c_str(), 0700) != 0) return Error::Sys("create upload " + dir);
  BERTH_TRY(fs::AtomicWrite(dir + "/repo", repo, 0644, false));
  {
    unique_fd fd = BERTH_TRY(fs::Open(dir + "/data", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  }
  auto s = std::make_shared<Session>();
  s->hash = std::make_unique<Sha256>();
  std::lock_guard lock(sessions_mu_);
  sessions_[id] = std::move(s);
  return id;
}

Result<std::shared_ptr<Uploads::Session>> Uploads::Find(const std::string& repo,
                                                        const std::string& id) {
  if (!ValidUploadId(id)) return Error::NotFound("upload " + id + " unknown");
  auto owner = fs::ReadFile(Dir(id) + "/repo");
  if (!owner.ok() || *owner != repo) return Error::NotFound("upload " + id + " unknown");
  std::lock_guard lock(sessions_mu_);
  auto& s = sessions_[id];
  if (!s) s = std::make_shared<Session>();  // e.g. after a restart: rehash at the end
  return s;
}

void Uploads::Drop(const std::string& id) {
  (void)fs::RemoveAll(Dir(id));
  std::lock_guard lock(sessions_mu_);
  sessions_.erase(id);
}

Result<uint64_t> Uploads::Size(const std::string& repo, const std::string& id) {
  auto s = BERTH_TRY(Find(repo, id));
  std::lock_guard lock(s->mu);
  struct stat st;
  if (stat((Dir(id) + "/data").c_str(), &st) != 0) return Error::NotFound("upload " + id + " unknown");
  return static_cast<uint64_t>(st.st_size);
}

Result<uint64_t> Uploads::Append(const std::string& repo, const std::string& id,
                                 http::BodyReader& body, std::optional<uint64_t> start) {
  auto s = BERTH_TRY(Find(repo, id));
  std::lock_guard lock(s->mu);
  return AppendLocked(*s, id, body, start);
}

Result<uint64_t> Uploads::AppendLocked(Session& s, const std::string& id, http::BodyReader& body,
                                       std::optional<uint64_t> start) {
  std::string path = Dir(id) + "/data";
  int raw = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (raw < 0) return Error::NotFound("upload " + id + " unknown");
  unique_fd fd(raw);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return Error::Sys("stat " + path);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  if (start && *start != size)
    return Error(Code::kConflict, "chunk starts at " + std::to_string(*start) + ", upload has " +
                                      std::to_string(size) + " bytes");
  if (s.hash && s.hashed != size) s.hash.reset();
  std::vector<char> buf(kChunk);
  for (;;) {
    auto n = body.Read(buf.data(), buf.size());
    if (!n.ok()) return std::move(n).error().Context("upload " + id + ": read body");
    if (*n == 0) break;
    std::string_view piece(buf.data(), *n);
    BERTH_TRY_CTX(fs::WriteAll(fd.get(), piece), "upload " + id);
    if (s.hash) {
      s.hash->Update(piece);
      s.hashed += *n;
    }
    size += *n;
  }
  return size;
}

Status Uploads::Finish(const std::string& repo, const std::string& id, http::BodyReader* body,
                       const Digest& expected) {
  auto s = BERTH_TRY(Find(repo, id));
  std::lock_guard lock(s->mu);
  if (body) BERTH_TRY(AppendLocked(*s, id, *body, std::nullopt));
  std::string path = Dir(id) + "/data";
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Error::NotFound("upload " + id + " unknown");
  Digest got;
  if (s->hash && s->hashed == static_cast<uint64_t>(st.st_size)) {
    got = s->hash->Final();
  } else {
    got = BERTH_TRY(Sha256File(path));
  }
  // The lock is held until the upload is gone, as in Cancel: a PATCH queued on
  // it must find no upload, never append to the file being committed.
  if (got != expected) {
    Drop(id);
    return Error::Invalid("digest " + expected.str() + " does not match the content (" + got.str() + ")");
  }
  Status done = storage_->CommitFile(path, got);
  if (done.ok()) done = storage_->LinkLayer(repo, got);
  Drop(id);
  return done;
}

Status Uploads::Cancel(const std::string& repo, const std::string& id) {
  auto s = BERTH_TRY(Find(repo, id));
  std::lock_guard lock(s->mu);
  Drop(id);
  return Ok();
}

size_t Uploads::Sweep() {
  auto ids = fs::ListDir(storage_->UploadsDir());
  if (!ids.ok()) return 0;
  auto now = std::chrono::system_clock::now();
  size_t removed = 0;
  for (const std::string& id : *ids) {
    std::string dir = Dir(id);
    if (now - LastActivity(dir) < timeout_) continue;
    std::shared_ptr<Session> s;
    {
      std::lock_guard lock(sessions_mu_);
      if (auto it = sessions_.find(id); it != sessions_.end()) s = it->second;
    }
    std::unique_lock<std::mutex> busy;
    if (s) {
      busy = std::unique_lock(s->mu, std::try_to_lock);
      if (!busy.owns_lock()) continue;  // data arriving right now
    }
    log::Info("registry: removing upload {} (idle for more than {} s)", id, timeout_.count());
    Drop(id);
    ++removed;
  }
  return removed;
}

}  // namespace berth::registry

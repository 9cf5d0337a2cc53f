#include "registry/storage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "base/fs.h"
#include "base/random.h"
#include "base/strings.h"

namespace berth::registry {
namespace {

bool IsRepoDir(const std::string& dir) { return fs::IsDir(dir + "/_manifests") || fs::IsDir(dir + "/_layers"); }

void CollectRepos(const std::string& base, const std::string& prefix, std::vector<std::string>* out) {
  auto entries = fs::ListDir(base);
  if (!entries.ok()) return;
  for (const std::string& e : *entries) {
    if (e.empty() || e[0] == '_' || e[0] == '.') continue;
    std::string dir = base + "/" + e;
    if (!fs::IsDir(dir)) continue;
    std::string name = prefix.empty() ? e : prefix + "/" + e;
    if (IsRepoDir(dir)) out->push_back(name);
    CollectRepos(dir, name, out);
  }
}

Result<std::vector<Digest>> DigestsIn(const std::string& dir) {
  std::vector<Digest> out;
  if (!fs::IsDir(dir)) return out;
  auto entries = BERTH_TRY(fs::ListDir(dir));
  for (const std::string& e : entries) {
    auto d = Digest::FromHex(e);
    if (d.ok()) out.push_back(*d);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Status SyncDir(const std::string& path) {
  unique_fd fd = BERTH_TRY(fs::Open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fsync(fd.get()) != 0) return Error::Sys("fsync " + path);
  return Ok();
}

Result<Storage> Storage::Open(const std::string& root) {
  std::string abs = BERTH_TRY(fs::Absolute(root));
  for (const char* sub : {"blobs/sha256", "uploads", "repositories", "auth", "tmp"})
    BERTH_TRY_CTX(fs::MkdirAll(abs + "/" + sub), "storage " + abs);
  return Storage(abs);
}

std::string Storage::BlobPath(const Digest& d) const {
  return root_ + "/blobs/sha256/" + d.hex().substr(0, 2) + "/" + d.hex();
}
std::string Storage::LayerLink(const std::string& repo, const Digest& d) const {
  return RepoDir(repo) + "/_layers/sha256/" + d.hex();
}
std::string Storage::RevisionLink(const std::string& repo, const Digest& d) const {
  return RepoDir(repo) + "/_manifests/revisions/sha256/" + d.hex();
}
std::string Storage::TagFile(const std::string& repo, const std::string& tag) const {
  return RepoDir(repo) + "/_manifests/tags/" + tag;
}

Result<std::string> Storage::TmpPath() {
  static std::atomic<uint64_t> counter{0};
  uint64_t r = 0;
  rnd::Fill(&r, sizeof r);
  char name[64];
  snprintf(name, sizeof name, "/%d-%llu-%016llx", getpid(),
           static_cast<unsigned long long>(counter++), static_cast<unsigned long long>(r));
  return TmpDir() + name;
}

Status Storage::WriteAtomic(const std::string& path, std::string_view data, mode_t mode) {
  std::string tmp = BERTH_TRY(TmpPath());
  {
    unique_fd fd = BERTH_TRY(fs::Open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    Status st = fs::WriteAll(fd.get(), data);
    if (st.ok() && fsync(fd.get()) != 0) st = Error::Sys("fsync " + tmp);
    if (!st.ok()) {
      unlink(tmp.c_str());
      return std::move(st).Context("write " + path);
    }
  }
  std::string dir = fs::Dirname(path);
  Status st = fs::MkdirAll(dir);
  if (st.ok() && rename(tmp.c_str(), path.c_str()) != 0) st = Error::Sys("rename to " + path);
  if (!st.ok()) {
    unlink(tmp.c_str());
    return st;
  }
  return SyncDir(dir);
}

Result<uint64_t> Storage::BlobSize(const Digest& d) const {
  struct stat st;
  if (stat(BlobPath(d).c_str(), &st) != 0) {
    if (errno == ENOENT) return Error::NotFound("blob " + d.str() + " not found");
    return Error::Sys("stat blob " + d.str());
  }
  return static_cast<uint64_t>(st.st_size);
}

Result<unique_fd> Storage::OpenBlob(const Digest& d, uint64_t* size) const {
  int fd = open(BlobPath(d).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error::NotFound("blob " + d.str() + " not found");
    return Error::Sys("open blob " + d.str());
  }
  unique_fd owned(fd);
  struct stat st;
  if (fstat(fd, &st) != 0) return Error::Sys("stat blob " + d.str());
  *size = static_cast<uint64_t>(st.st_size);
  return owned;
}

Status Storage::CommitFile(const std::string& path, const Digest& d) {
  std::string dst = BlobPath(d);
  if (fs::Exists(dst)) {
    unlink(path.c_str());
    TouchBlob(d);
    return Ok();
  }
  {
    unique_fd fd = BERTH_TRY(fs::Open(path, O_RDONLY | O_CLOEXEC));
    if (fsync(fd.get()) != 0) return Error::Sys("fsync " + path);
  }
  std::string dir = fs::Dirname(dst);
  BERTH_TRY(fs::MkdirAll(dir));
  if (rename(path.c_str(), dst.c_str()) != 0) return Error::Sys("rename to " + dst);
  return SyncDir(dir);
}

Result<Digest> Storage::PutBlob(std::string_view data) {
  Digest d = Sha256Of(data);
  if (fs::Exists(BlobPath(d))) {
    TouchBlob(d);
    return d;
  }
  BERTH_TRY(WriteAtomic(BlobPath(d), data, 0644));
  return d;
}

void Storage::TouchBlob(const Digest& d) { (void)utimensat(AT_FDCWD, BlobPath(d).c_str(), nullptr, 0); }

Status Storage::RemoveBlob(const Digest& d) {
  if (unlink(BlobPath(d).c_str()) != 0 && errno != ENOENT) return Error::Sys("remove blob " + d.str());
  return Ok();
}

Result<std::vector<Digest>> Storage::AllBlobs() const {
  std::vector<Digest> out;
  std::string base = root_ + "/blobs/sha256";
  auto prefixes = BERTH_TRY(fs::ListDir(base));
  for (const std::string& p : prefixes) {
    auto ds = BERTH_TRY(DigestsIn(base + "/" + p));
    out.insert(out.end(), ds.begin(), ds.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool Storage::RepoExists(const std::string& repo) const { return IsRepoDir(RepoDir(repo)); }

bool Storage::HasLayer(const std::string& repo, const Digest& d) const {
  return fs::Exists(LayerLink(repo, d)) && fs::Exists(BlobPath(d));
}

Status Storage::LinkLayer(const std::string& repo, const Digest& d) {
  TouchBlob(d);
  std::string link = LayerLink(repo, d);
  if (fs::Exists(link)) return Ok();
  return WriteAtomic(link, "");
}

Status Storage::UnlinkLayer(const std::string& repo, const Digest& d) {
  if (unlink(LayerLink(repo, d).c_str()) != 0) {
    if (errno == ENOENT) return Error::NotFound("blob " + d.str() + " not in " + repo);
    return Error::Sys("unlink layer " + d.str());
  }
  return Ok();
}

Result<std::vector<Digest>> Storage::Layers(const std::string& repo) const {
  return DigestsIn(RepoDir(repo) + "/_layers/sha256");
}

Status Storage::PutManifest(const std::string& repo, const Digest& d, const std::string& media_type,
                            std::string_view content, const std::string& tag) {
  Digest stored = BERTH_TRY(PutBlob(content));
  if (stored != d) return Error::Internal("manifest digest changed while storing");
  BERTH_TRY(WriteAtomic(RevisionLink(repo, d), media_type));
  if (!tag.empty()) BERTH_TRY(WriteAtomic(TagFile(repo, tag), d.str() + "\n"));
  return Ok();
}

bool Storage::HasManifest(const std::string& repo, const Digest& d) const {
  return fs::Exists(RevisionLink(repo, d)) && fs::Exists(BlobPath(d));
}

Result<StoredManifest> Storage::GetManifest(const std::string& repo, const Digest& d) const {
  auto type = fs::ReadFile(RevisionLink(repo, d));
  if (!type.ok()) return Error::NotFound("manifest " + d.str() + " not in " + repo);
  auto content = fs::ReadFile(BlobPath(d));
  if (!content.ok()) return Error::NotFound("manifest " + d.str() + " content missing");
  return StoredManifest{d, std::move(*type), std::move(*content)};
}

Result<Digest> Storage::ResolveTag(const std::string& repo, const std::string& tag) const {
  auto s = fs::ReadFile(TagFile(repo, tag));
  if (!s.ok()) return Error::NotFound("tag " + tag + " not in " + repo);
  return Digest::Parse(str::Trim(*s));
}

Status Storage::DeleteManifest(const std::string& repo, const Digest& d) {
  if (!fs::Exists(RevisionLink(repo, d))) return Error::NotFound("manifest " + d.str() + " not in " + repo);
  auto tags = Tags(repo);
  if (tags.ok())
    for (const std::string& t : *tags) {
      auto td = ResolveTag(repo, t);
      if (td.ok() && *td == d) unlink(TagFile(repo, t).c_str());
    }
  // Its entry among some subject's referrers.
  std::string refdir = RepoDir(repo) + "/_referrers";
  if (auto subjects = fs::ListDir(refdir); subjects.ok())
    for (const std::string& s : *subjects) unlink((refdir + "/" + s + "/" + d.hex()).c_str());
  if (unlink(RevisionLink(repo, d).c_str()) != 0) return Error::Sys("unlink revision " + d.str());
  return SyncDir(fs::Dirname(RevisionLink(repo, d)));
}

Status Storage::DeleteTag(const std::string& repo, const std::string& tag) {
  if (unlink(TagFile(repo, tag).c_str()) != 0) {
    if (errno == ENOENT) return Error::NotFound("tag " + tag + " not in " + repo);
    return Error::Sys("unlink tag " + tag);
  }
  return Ok();
}

Result<std::vector<std::string>> Storage::Tags(const std::string& repo) const {
  if (!RepoExists(repo)) return Error::NotFound("repository " + repo + " not found");
  std::string dir = RepoDir(repo) + "/_manifests/tags";
  std::vector<std::string> out;
  if (fs::IsDir(dir)) {
    out = BERTH_TRY(fs::ListDir(dir));
    std::erase_if(out, [](const std::string& t) { return t.empty() || t[0] == '.'; });
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::vector<Digest>> Storage::Revisions(const std::string& repo) const {
  return DigestsIn(RepoDir(repo) + "/_manifests/revisions/sha256");
}

Result<std::vector<std::string>> Storage::Repositories() const {
  std::vector<std::string> out;
  CollectRepos(root_ + "/repositories", "", &out);
  std::sort(out.begin(), out.end());
  return out;
}

Status Storage::AddReferrer(const std::string& repo, const Digest& subject, const Digest& d,
                            const std::string& descriptor_json) {
  return WriteAtomic(RepoDir(repo) + "/_referrers/" + subject.hex() + "/" + d.hex(), descriptor_json);
}

Result<std::vector<std::string>> Storage::Referrers(const std::string& repo,
                                                    const Digest& subject) const {
  std::string dir = RepoDir(repo) + "/_referrers/" + subject.hex();
  std::vector<std::string> out;
  for (const Digest& d : BERTH_TRY(DigestsIn(dir))) {
    if (!HasManifest(repo, d)) continue;
    auto s = fs::ReadFile(dir + "/" + d.hex());
    if (s.ok()) out.push_back(std::move(*s));
  }
  return out;
}

RepoMeta Storage::Meta(const std::string& repo) const {
  RepoMeta m;
  auto s = fs::ReadFile(RepoDir(repo) + "/_meta.json");
  if (!s.ok()) return m;
  auto j = nlohmann::json::parse(*s, nullptr, false);
  if (!j.is_object()) return m;
  m.owner = j.value("owner", "");
  m.is_private = j.value("private", false);
  m.description = j.value("description", "");
  return m;
}

Status Storage::SetMeta(const std::string& repo, const RepoMeta& m) {
  nlohmann::json j = {{"owner", m.owner}, {"private", m.is_private}, {"description", m.description}};
  return WriteAtomic(RepoDir(repo) + "/_meta.json", j.dump() + "\n");
}

}  // namespace berth::registry

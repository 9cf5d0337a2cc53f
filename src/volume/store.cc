// The local volume store: records on disk, mounts of volumes with options,
// users in memory (volume.h).
#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "runtime/rootfs/mount_options.h"
#include "volume/copy_up.h"
#include "volume/volume.h"

namespace berth::volume {
namespace {

using nlohmann::json;

constexpr const char* kRecord = "volume.json";

std::string NowSeconds() {
  time_t t = time(nullptr);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

json Record(const Volume& v) {
  return {{"Name", v.name},       {"CreatedAt", v.created_at}, {"Labels", v.labels},
          {"Options", v.options}, {"LabelsNull", v.labels_null},
          {"OptionsNull", v.options_null}, {"Anonymous", v.anonymous},
          {"CopyUpPending", v.copy_up_pending}};
}

Result<Volume> FromRecord(const std::string& path, const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Error::Invalid(path + ": malformed volume record (not a JSON object)");
  Volume v;
  v.name = j.value("Name", "");
  v.created_at = j.value("CreatedAt", "");
  auto strmap = [](const json& m) {
    Labels out;
    if (m.is_object())
      for (auto& [k, x] : m.items())
        if (x.is_string()) out[k] = x.get<std::string>();
    return out;
  };
  v.labels = strmap(j.value("Labels", json()));
  v.options = strmap(j.value("Options", json()));
  v.labels_null = j.value("LabelsNull", false);
  v.options_null = j.value("OptionsNull", false);
  v.anonymous = j.value("Anonymous", false);
  v.copy_up_pending = j.value("CopyUpPending", false);
  if (v.name.empty()) return Error::Invalid(path + ": volume record without a name");
  return v;
}

Error NoSuchVolume(const std::string& name) {
  return Error::NotFound("get " + name + ": no such volume");
}

// Writes path (a new file) and fsyncs it.
Status WriteSynced(const std::string& path, const std::string& data) {
  unique_fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd) return Error::Sys("create " + path);
  BERTH_TRY_CTX(fs::WriteAll(fd.get(), data), "write " + path);
  if (::fsync(fd.get()) < 0) return Error::Sys("fsync " + path);
  return Ok();
}

void SyncDir(const std::string& dir) {
  unique_fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d) (void)::fsync(d.get());
}

}  // namespace

Store::Store(std::string root, std::unique_ptr<Mounter> mounter)
    : root_(std::move(root)), mounter_(std::move(mounter)) {}

Result<std::unique_ptr<Store>> Store::Open(const std::string& root,
                                           std::unique_ptr<Mounter> mounter) {
  BERTH_TRY(fs::MkdirAll(root, 0701));
  std::unique_ptr<Store> s(new Store(root, std::move(mounter)));
  BERTH_TRY(s->Load());
  return s;
}

std::string Store::Dir(const std::string& name) const { return fs::Join(root_, name); }

Status Store::Load() {
  std::string trash = fs::Join(root_, ".trash");
  if (fs::Exists(trash)) {
    for (const std::string& n : BERTH_TRY(fs::ListDir(trash)))
      (void)mounter_->Unmount(fs::Join(fs::Join(trash, n), "_data"));
    (void)fs::RemoveAll(trash);
  }
  for (const std::string& n : BERTH_TRY(fs::ListDir(root_))) {
    if (str::StartsWith(n, ".new-")) {  // a create that did not finish
      (void)fs::RemoveAll(Dir(n));
      continue;
    }
    if (n.empty() || n[0] == '.') continue;
    std::string dir = Dir(n);
    std::string record = fs::Join(dir, kRecord);
    auto text = fs::ReadFile(record);
    if (!text.ok()) {
      // A create that did not finish: nothing was acknowledged.
      log::Warn("volume {}: no record; removing its directory", n);
      (void)mounter_->Unmount(fs::Join(dir, "_data"));
      (void)fs::RemoveAll(dir);
      continue;
    }
    auto v = FromRecord(record, *text);
    if (!v.ok()) {
      log::Warn("volume {}: {}; skipped", n, v.error().message());
      continue;
    }
    if (v->name != n) {
      log::Warn("volume {}: {} names volume \"{}\"; skipped", n, record, v->name);
      continue;
    }
    v->mountpoint = fs::Join(dir, "_data");
    volumes_[n] = std::move(*v);
  }
  return Ok();
}

Result<Volume> Store::Create(const std::string& name_in, const Labels& labels,
                             const Labels& options, bool labels_null, bool options_null) {
  bool anonymous = name_in.empty();
  std::string name = anonymous ? RandomName() : name_in;
  if (!anonymous) BERTH_TRY(ValidateName(name));
  {
    std::lock_guard lock(mu_);
    if (auto it = volumes_.find(name); it != volumes_.end()) return it->second;
  }
  BERTH_TRY(ParseOptions(options));
  Volume v;
  v.name = name;
  v.created_at = NowSeconds();
  v.labels = labels;
  v.options = options;
  v.labels_null = labels_null;
  v.options_null = options_null;
  v.anonymous = anonymous;
  // Made complete aside (no lock held), then renamed into place: one
  // durable step (the record's fsync, then the root's after the rename).
  std::string tmp = fs::Join(root_, ".new-" + RandomName().substr(0, 16));
  auto fail = [&](Error e) {
    (void)fs::RemoveAll(tmp);
    return std::move(e).Context("create volume " + name);
  };
  if (::mkdir(tmp.c_str(), 0755) < 0) return fail(Error::Sys("mkdir " + tmp));
  if (::mkdir(fs::Join(tmp, "_data").c_str(), 0755) < 0) return fail(Error::Sys("mkdir " + tmp + "/_data"));
  if (Status st = WriteSynced(fs::Join(tmp, kRecord), Record(v).dump()); !st.ok())
    return fail(std::move(st).error());
  std::string dir = Dir(name);
  v.mountpoint = fs::Join(dir, "_data");
  std::lock_guard lock(mu_);
  if (auto it = volumes_.find(name); it != volumes_.end()) {  // made meanwhile
    (void)fs::RemoveAll(tmp);
    return it->second;
  }
  (void)fs::RemoveAll(dir);  // left by an older berthd's unfinished create
  if (::rename(tmp.c_str(), dir.c_str()) < 0) return fail(Error::Sys("rename " + tmp + " to " + dir));
  SyncDir(root_);
  volumes_[name] = v;
  return v;
}

Result<Volume> Store::Get(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = volumes_.find(name);
  if (it == volumes_.end()) return NoSuchVolume(name);
  return it->second;
}

std::vector<Volume> Store::List() {
  std::lock_guard lock(mu_);
  std::vector<Volume> out;
  out.reserve(volumes_.size());
  for (auto& [n, v] : volumes_) out.push_back(v);
  return out;
}

Status Store::Remove(const std::string& name) {
  std::string to;
  {
    std::lock_guard lock(mu_);
    auto it = volumes_.find(name);
    if (it == volumes_.end()) return NoSuchVolume(name);
    if (auto u = users_.find(name); u != users_.end() && !u->second.empty())
      return Error(Code::kConflict, "volume is in use");
    UnmountLocked(it->second);
    std::string trash = fs::Join(root_, ".trash");
    BERTH_TRY(fs::MkdirAll(trash, 0700));
    to = fs::Join(trash, name + "-" + RandomName().substr(0, 8));
    if (::rename(Dir(name).c_str(), to.c_str()) < 0)
      return Error::Sys("remove volume " + name + ": rename");
    volumes_.erase(it);
    users_.erase(name);
    mounted_.erase(name);
  }
  // The content goes without the lock: a large volume holds up no one.
  if (Status st = fs::RemoveAll(to); !st.ok())
    log::Warn("remove volume {}: {}", name, st.error().message());
  return Ok();
}

Status Store::MountLocked(const Volume& v) {
  if (v.options.empty() || mounted_.count(v.name)) return Ok();
  LocalOptions o = BERTH_TRY(ParseOptions(v.options));
  rootfs::MountOptions a = rootfs::ParseMountOptions(str::Split(o.o, ','));
  BERTH_TRY_CTX(mounter_->Mount(o.device, v.mountpoint, o.type, a.flags, a.data),
                "error while mounting volume '" + v.mountpoint + "'");
  mounted_.insert(v.name);
  return Ok();
}

void Store::UnmountLocked(const Volume& v) {
  if (v.options.empty()) return;
  if (!mounted_.count(v.name) && !mounter_->IsMounted(v.mountpoint)) return;
  if (Status st = mounter_->Unmount(v.mountpoint); !st.ok())
    log::Warn("volume {}: {}", v.name, st.error().message());
  mounted_.erase(v.name);
}

Result<std::string> Store::Acquire(const std::string& name, const std::string& user) {
  std::lock_guard lock(mu_);
  auto it = volumes_.find(name);
  if (it == volumes_.end()) return NoSuchVolume(name);
  BERTH_TRY(MountLocked(it->second));
  users_[name].insert(user);
  return it->second.mountpoint;
}

void Store::Release(const std::string& name, const std::string& user) {
  std::lock_guard lock(mu_);
  auto it = volumes_.find(name);
  if (it == volumes_.end()) return;
  auto& u = users_[name];
  u.erase(user);
  if (u.empty() && !restoring_) UnmountLocked(it->second);
}

void Store::Hold(const std::string& name, const std::string& user) {
  std::lock_guard lock(mu_);
  auto it = volumes_.find(name);
  if (it == volumes_.end()) return;
  users_[name].insert(user);
  if (!it->second.options.empty() && mounter_->IsMounted(it->second.mountpoint))
    mounted_.insert(name);
}

void Store::BeginRestore() {
  std::lock_guard lock(mu_);
  restoring_ = true;
}

void Store::EndRestore() {
  std::lock_guard lock(mu_);
  restoring_ = false;
  for (auto& [name, v] : volumes_) {
    auto u = users_.find(name);
    if (u == users_.end() || u->second.empty()) UnmountLocked(v);
  }
}

std::set<std::string> Store::Users(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = users_.find(name);
  return it == users_.end() ? std::set<std::string>{} : it->second;
}

int64_t Store::Size(const std::string& name) {
  std::string path;
  {
    std::lock_guard lock(mu_);
    auto it = volumes_.find(name);
    if (it == volumes_.end()) return 0;
    path = it->second.mountpoint;
  }
  return fs::DirSize(path);
}

Status Store::SaveLocked(const Volume& v) {
  BERTH_TRY_CTX(fs::AtomicWrite(fs::Join(Dir(v.name), kRecord), Record(v).dump(), 0600),
                "volume " + v.name);
  volumes_[v.name] = v;
  return Ok();
}

Status Store::CopyUp(const std::string& name, const std::string& src) {
  std::lock_guard copying(copy_mu_);
  Volume v;
  {
    std::lock_guard lock(mu_);
    auto it = volumes_.find(name);
    if (it == volumes_.end()) return NoSuchVolume(name);
    v = it->second;
  }
  if (!v.copy_up_pending) {
    // Docker's rule: only an empty volume is filled, and only when the
    // image has something there.
    if (!IsEmptyDir(v.mountpoint) || !fs::IsDir(src) || IsEmptyDir(src)) return Ok();
    v.copy_up_pending = true;
    std::lock_guard lock(mu_);
    if (!volumes_.count(name)) return NoSuchVolume(name);
    BERTH_TRY(SaveLocked(v));
  } else {
    log::Info("volume {}: finishing a copy-up an earlier berthd did not", name);
  }
  BERTH_TRY(CopyTree(src, v.mountpoint));
  v.copy_up_pending = false;
  std::lock_guard lock(mu_);
  if (!volumes_.count(name)) return NoSuchVolume(name);
  return SaveLocked(v);
}

}  // namespace berth::volume

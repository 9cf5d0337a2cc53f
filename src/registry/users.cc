#include "registry/users.h"

#include <crypt.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "base/digest.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/strings.h"

namespace berth::registry {
namespace {

constexpr auto kVerifiedFor = std::chrono::seconds(60);

bool IsBcrypt(std::string_view h) {
  return h.size() == 60 && (h.starts_with("$2y$") || h.starts_with("$2b$") || h.starts_with("$2a$"));
}

bool Changed(const std::string& path, ino_t* ino, off_t* size, struct timespec* mtime) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    bool was = *size != -2;
    *ino = 0;
    *size = -2;
    return was;
  }
  bool changed = st.st_ino != *ino || st.st_size != *size || st.st_mtim.tv_sec != mtime->tv_sec ||
                 st.st_mtim.tv_nsec != mtime->tv_nsec;
  *ino = st.st_ino;
  *size = st.st_size;
  *mtime = st.st_mtim;
  return changed;
}

}  // namespace

Result<std::string> BcryptHash(const std::string& password, int cost) {
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$2b$", cost, nullptr, 0, salt, sizeof salt))
    return Error::Sys("bcrypt: make salt");
  crypt_data data;
  std::memset(&data, 0, sizeof data);
  const char* h = crypt_r(password.c_str(), salt, &data);
  if (!h || h[0] == '*') return Error::Internal("bcrypt: crypt_r failed");
  std::string out = h;
  out[2] = 'y';  // $2b$ and $2y$ are the same algorithm; htpasswd writes $2y$
  return out;
}

bool BcryptVerify(const std::string& password, const std::string& hash) {
  if (!IsBcrypt(hash)) return false;
  crypt_data data;
  std::memset(&data, 0, sizeof data);
  const char* h = crypt_r(password.c_str(), hash.c_str(), &data);
  if (!h || std::strlen(h) != hash.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < hash.size(); ++i) diff |= static_cast<unsigned char>(h[i] ^ hash[i]);
  return diff == 0;
}

bool ValidUserName(std::string_view name) {
  if (name.size() < 2 || name.size() > 64) return false;
  if (name[0] == '-' || name[0] == '_') return false;
  if (name.back() == '-' || name.back() == '_') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

void Users::ReloadLocked() {
  if (Changed(htpasswd_, &users_state_.ino, &users_state_.size, &users_state_.mtime)) {
    users_.clear();
    verified_.clear();
    auto text = fs::ReadFile(htpasswd_);
    if (text.ok())
      for (std::string_view line : str::Split(*text, '\n')) {
        line = str::Trim(line);
        if (line.empty() || line[0] == '#') continue;
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string hash(line.substr(colon + 1));
        if (!IsBcrypt(hash))
          log::Warn("registry: {}: user {} has no bcrypt hash; refused", htpasswd_, line.substr(0, colon));
        users_.emplace_back(std::string(line.substr(0, colon)), std::move(hash));
      }
  }
  if (Changed(admins_, &admins_state_.ino, &admins_state_.size, &admins_state_.mtime)) {
    admin_names_.clear();
    auto text = fs::ReadFile(admins_);
    if (text.ok())
      for (std::string_view line : str::Split(*text, '\n')) {
        line = str::Trim(line);
        if (!line.empty() && line[0] != '#') admin_names_.emplace_back(line);
      }
  }
}

Status Users::SaveLocked() {
  std::string users, admins;
  for (const auto& [n, h] : users_) users += n + ":" + h + "\n";
  for (const auto& a : admin_names_) admins += a + "\n";
  BERTH_TRY(fs::AtomicWrite(htpasswd_, users, 0600));
  BERTH_TRY(fs::AtomicWrite(admins_, admins, 0600));
  users_state_ = {};
  admins_state_ = {};
  return Ok();
}

bool Users::Any() {
  std::lock_guard lock(mu_);
  ReloadLocked();
  return !users_.empty();
}

bool Users::Exists(const std::string& name) {
  std::lock_guard lock(mu_);
  ReloadLocked();
  return std::any_of(users_.begin(), users_.end(), [&](const auto& u) { return u.first == name; });
}

bool Users::Verify(const std::string& name, const std::string& password) {
  std::string hash, key;
  {
    std::lock_guard lock(mu_);
    ReloadLocked();
    auto it = std::find_if(users_.begin(), users_.end(), [&](const auto& u) { return u.first == name; });
    if (it == users_.end()) return false;
    hash = it->second;
    key = Sha256Of(name + '\0' + password + '\0' + hash).hex();
    auto v = verified_.find(key);
    if (v != verified_.end() && std::chrono::steady_clock::now() - v->second < kVerifiedFor) return true;
  }
  if (!BcryptVerify(password, hash)) return false;
  std::lock_guard lock(mu_);
  if (verified_.size() > 1000) verified_.clear();
  verified_[key] = std::chrono::steady_clock::now();
  return true;
}

bool Users::IsAdmin(const std::string& name) {
  std::lock_guard lock(mu_);
  ReloadLocked();
  return std::find(admin_names_.begin(), admin_names_.end(), name) != admin_names_.end();
}

Status Users::Add(const std::string& name, const std::string& password, bool admin) {
  if (!ValidUserName(name))
    return Error::Invalid("invalid user name \"" + name + "\": use 2-64 of [a-z0-9_-]");
  if (password.empty()) return Error::Invalid("empty password");
  std::string hash = BERTH_TRY(BcryptHash(password));
  std::lock_guard lock(mu_);
  ReloadLocked();
  for (const auto& u : users_)
    if (u.first == name) return Error(Code::kAlreadyExists, "user " + name + " already exists");
  users_.emplace_back(name, hash);
  if (admin) admin_names_.push_back(name);
  return SaveLocked();
}

Status Users::SetPassword(const std::string& name, const std::string& password) {
  if (password.empty()) return Error::Invalid("empty password");
  std::string hash = BERTH_TRY(BcryptHash(password));
  std::lock_guard lock(mu_);
  ReloadLocked();
  for (auto& u : users_)
    if (u.first == name) {
      u.second = hash;
      return SaveLocked();
    }
  return Error::NotFound("no such user: " + name);
}

Status Users::SetAdmin(const std::string& name, bool admin) {
  std::lock_guard lock(mu_);
  ReloadLocked();
  std::erase(admin_names_, name);
  if (admin) admin_names_.push_back(name);
  return SaveLocked();
}

Status Users::Remove(const std::string& name) {
  std::lock_guard lock(mu_);
  ReloadLocked();
  size_t n = std::erase_if(users_, [&](const auto& u) { return u.first == name; });
  if (n == 0) return Error::NotFound("no such user: " + name);
  std::erase(admin_names_, name);
  return SaveLocked();
}

Result<std::vector<Users::Entry>> Users::List() {
  std::lock_guard lock(mu_);
  ReloadLocked();
  std::vector<Entry> out;
  for (const auto& u : users_)
    out.push_back({u.first, std::find(admin_names_.begin(), admin_names_.end(), u.first) !=
                                admin_names_.end()});
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  return out;
}

}  // namespace berth::registry

// Users: the registry's accounts, in an htpasswd file (Apache's format,
// "name:$2y$..." bcrypt lines, so `htpasswd -B` can manage it too) and an
// admins file (one user name per line).
//
// Verification uses libcrypt's crypt_r, which checks $2a$/$2b$/$2y$ bcrypt
// hashes; new passwords get $2y$ (what htpasswd -B writes) with cost 10.
// Other hash kinds in the file are refused. The files are re-read when they
// change on disk (the CLI edits them while the server runs). A bcrypt check
// costs tens of milliseconds, so successful checks are remembered for a
// minute, keyed by a hash of name, password and the stored hash line.
//
// Threads: every method may be called concurrently (mu_ guards the cache).
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/error.h"

namespace berth::registry {

// A bcrypt hash of password in htpasswd's $2y$ form.
Result<std::string> BcryptHash(const std::string& password, int cost = 10);
// True when password matches a bcrypt hash.
bool BcryptVerify(const std::string& password, const std::string& hash);
// User names: 2-64 characters of [a-z0-9], '-' or '_' not first (they are
// the first component of repository names).
bool ValidUserName(std::string_view name);

class Users {
 public:
  Users(std::string htpasswd_path, std::string admins_path)
      : htpasswd_(std::move(htpasswd_path)), admins_(std::move(admins_path)) {}

  // True when the file holds at least one user (authentication is then on).
  bool Any();
  // True when name exists and password matches.
  bool Verify(const std::string& name, const std::string& password);
  bool IsAdmin(const std::string& name);
  bool Exists(const std::string& name);

  // Management (the CLI). Add: kAlreadyExists when present.
  Status Add(const std::string& name, const std::string& password, bool admin);
  Status SetPassword(const std::string& name, const std::string& password);
  Status SetAdmin(const std::string& name, bool admin);
  Status Remove(const std::string& name);
  struct Entry {
    std::string name;
    bool admin = false;
  };
  Result<std::vector<Entry>> List();

 private:
  struct FileState {
    ino_t ino = 0;
    off_t size = -1;
    struct timespec mtime = {};
  };
  void ReloadLocked();
  Status SaveLocked();

  std::string htpasswd_, admins_;
  std::mutex mu_;
  FileState users_state_, admins_state_;             // guarded by mu_
  std::vector<std::pair<std::string, std::string>> users_;  // name, hash; guarded by mu_
  std::vector<std::string> admin_names_;             // guarded by mu_
  std::map<std::string, std::chrono::steady_clock::time_point> verified_;  // guarded by mu_
};

}  // namespace berth::registry

// Volumes: the local driver, as Docker's "local" volume driver behaves.
//
//   <data-root>/volumes/            the store's root (this folder owns it)
//   ├── <name>/volume.json          the volume's record (atomic, fsynced)
//   ├── <name>/_data/               its content (the Mountpoint)
//   ├── .new-<random>/              a volume being created (swept at Open)
//   └── .trash/                     volumes being removed (emptied at Open)
//
// Vocabulary:
//   - a *named* volume was given its name by the user (`volume create x`,
//     `-v x:/p`); an *anonymous* one got a random 64-hex name (`-v /p`,
//     VOLUME in the image). The store records which.
//   - *options* are the local driver's `-o type=…,device=…,o=…`. A volume
//     with options is a mount (tmpfs, a bind of a host directory, a block
//     device): it is mounted on _data when its first user starts and
//     unmounted when the last one stops. A volume without options is just
//     the _data directory.
//   - a *user* is a running container (its ID) that holds the volume
//     mounted. Users live in memory only; berthd rebuilds them from the
//     running containers when it starts (Hold), then unmounts what no one
//     holds (EndRestore).
//   - *references* (containers that name the volume in their mounts, running
//     or not) are the engine's business: the store does not know them.
//
// Invariants: a volume is made complete (record and _data) under
// .new-<random>/ and renamed into place, then the root is fsynced: it is
// visible only once durable, and a crash leaves at most a .new- directory,
// removed at Open. Remove renames the volume into .trash under the lock and
// deletes the content after releasing it, so a crash never leaves half a
// volume visible and a large volume does not hold up the store.
// A copy-up (image content into a new volume) is marked in the record
// before it starts and unmarked when done; one berthd did not finish
// (killed during it) is redone at the next use (CopyUp).
//
// Threads: every method locks mu_ (not while copying or deleting content).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/error.h"

namespace berth::volume {

using Labels = std::map<std::string, std::string>;

struct Volume {
  std::string name;
  std::string created_at;  // RFC 3339, seconds, UTC ("2026-11-29T02:49:19Z")
  Labels labels;
  Labels options;
  bool labels_null = true;   // the API shows null, not {}, when none were sent
  bool options_null = true;
  bool anonymous = false;
  bool copy_up_pending = false;  // a copy-up started and did not finish
  std::string mountpoint;    // <root>/<name>/_data
};

// The Engine API's Volume object (Driver local, Scope local).
nlohmann::json ToJson(const Volume& v);

// Docker's volume name rule, with its text: `"a/b" includes invalid
// characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are
// allowed. If you intended to pass a host directory, use absolute path`.
Status ValidateName(const std::string& name);
// A random anonymous volume name (64 hex digits).
std::string RandomName();

// The local driver's options, checked: keys type, device, o (and size,
// refused: it needs a quota-capable filesystem). `invalid option: "foo"`.
struct LocalOptions {
  std::string type, device, o;
  bool empty() const { return type.empty() && device.empty() && o.empty(); }
};
Result<LocalOptions> ParseOptions(const Labels& options);

// The OS seam: what the store asks of the kernel.
class Mounter {
 public:
  virtual ~Mounter() = default;
  virtual Status Mount(const std::string& source, const std::string& target,
                       const std::string& type, unsigned long flags, const std::string& data) = 0;
  virtual Status Unmount(const std::string& target) = 0;
  // Whether something is mounted on target (after a restart).
  virtual bool IsMounted(const std::string& target) = 0;
};
// mount(2), umount2(MNT_DETACH), /proc/self/mountinfo.
std::unique_ptr<Mounter> SystemMounter();

class Store {
 public:
  // Opens (creates) the store at root; sweeps .trash and unfinished creates.
  static Result<std::unique_ptr<Store>> Open(const std::string& root,
                                             std::unique_ptr<Mounter> mounter);

  // Creates a volume, or returns the existing one of that name (as Docker:
  // create is idempotent; labels and options of the existing one are kept).
  // An empty name makes an anonymous volume.
  Result<Volume> Create(const std::string& name, const Labels& labels, const Labels& options,
                        bool labels_null = false, bool options_null = false);
  // kNotFound "get NAME: no such volume".
  Result<Volume> Get(const std::string& name);
  std::vector<Volume> List();  // sorted by name
  // Removes the volume and its content; kConflict when a user holds it
  // mounted (the engine checks references first). Unmounts a volume with
  // options that nobody uses.
  Status Remove(const std::string& name);

  // user starts using the volume: mounts it on first use when it has
  // options. Idempotent per user. Returns the path to bind into the
  // container (the mountpoint).
  Result<std::string> Acquire(const std::string& name, const std::string& user);
  // user stops using it; the last one unmounts (unless restoring).
  void Release(const std::string& name, const std::string& user);
  // After a restart: user (still running) holds the volume, which is
  // mounted already if it has options.
  void Hold(const std::string& name, const std::string& user);
  // While restoring, Release does not unmount; EndRestore unmounts every
  // volume with options that no user holds.
  void BeginRestore();
  void EndRestore();
  // The users of a volume (for tests and inspect).
  std::set<std::string> Users(const std::string& name);
  // Bytes under the volume's _data (for prune and df).
  int64_t Size(const std::string& name);
  // Fills the volume from src (a directory on the host: the image's content
  // at the mount destination) when the volume is empty, as Docker does; and
  // finishes a copy-up that an earlier berthd did not (the record says so),
  // copying over what the broken one left. Copy-ups run one at a time; the
  // store stays usable meanwhile. Call with the volume acquired (mounted).
  Status CopyUp(const std::string& name, const std::string& src);

  const std::string& root() const { return root_; }

 private:
  Store(std::string root, std::unique_ptr<Mounter> mounter);
  Status Load();
  std::string Dir(const std::string& name) const;
  Status MountLocked(const Volume& v);
  // Writes v's record (atomic, durable) and updates volumes_; mu_ held.
  Status SaveLocked(const Volume& v);
  void UnmountLocked(const Volume& v);

  const std::string root_;
  std::unique_ptr<Mounter> mounter_;
  std::mutex mu_;
  std::mutex copy_mu_;  // one copy-up at a time; taken before mu_
  std::map<std::string, Volume> volumes_;                  // guarded by mu_
  std::map<std::string, std::set<std::string>> users_;     // guarded by mu_
  std::set<std::string> mounted_;                          // guarded by mu_
  bool restoring_ = false;                                 // guarded by mu_
};

}  // namespace berth::volume

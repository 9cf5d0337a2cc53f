// Journal: the embedded store's files. The state is a snapshot plus an
// append-only log of records (state.h) written after it:
//
//   <data-root>/discovery/
//   ├── snapshot.json   the whole state at some index (tmp + fsync + rename)
//   └── log.jsonl       one record per line, indexes above the snapshot's
//
// Durability (the fsync policy): a write is acknowledged only after its
// record is written (write(2)) and, with sync on (the default), after an
// fdatasync that covers it. Concurrent writers share fdatasyncs (group
// commit): a writer whose record an earlier sync already covered returns at
// once. A berthd crash (kill -9) loses nothing that was written; a machine
// crash loses nothing that was acknowledged with sync on.
//
// Replay: the snapshot is loaded, then every complete log line whose index
// is above it. A torn last line (no newline, or not JSON: a crash mid-write)
// is cut off and the log truncated there; a bad line in the middle is an
// error (the files were damaged otherwise). When the log grows past
// snapshot_bytes, the store writes a snapshot and empties the log; a crash
// between the two only leaves records the snapshot already holds, which
// replay skips by index.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.h"
#include "base/unique_fd.h"
#include "discovery/state.h"

namespace berth::discovery {

class Journal {
 public:
  struct Options {
    std::string dir;
    bool sync = true;
    size_t snapshot_bytes = 8u << 20;
  };

  // Opens (creating) dir and loads its contents into *state.
  static Result<std::unique_ptr<Journal>> Open(const Options& options, State* state);

  // Appends one record; returns its sequence number for Sync. The caller
  // serializes Append and Snapshot (the store's lock).
  Result<uint64_t> Append(const nlohmann::json& record);
  // Returns once every record up to seq is durable. Call without the store's
  // lock so that writers share syncs.
  Status Sync(uint64_t seq);

  bool NeedsSnapshot() const { return log_bytes_ >= options_.snapshot_bytes; }
  // Writes state as the snapshot, then empties the log.
  Status Snapshot(const State& state);

  // Replay statistics (tests, logs).
  size_t replayed() const { return replayed_; }
  bool truncated_tail() const { return truncated_tail_; }

 private:
  explicit Journal(Options options) : options_(std::move(options)) {}
  Status Load(State* state);

  Options options_;
  unique_fd fd_;
  size_t log_bytes_ = 0;
  uint64_t appended_ = 0;  // guarded by the caller's lock (and read under sync_mu_)
  std::mutex sync_mu_;     // lock order: the store's lock, then sync_mu_
  uint64_t synced_ = 0;    // guarded by sync_mu_
  size_t replayed_ = 0;
  bool truncated_tail_ = false;
};

// Dumps JSON as one line; invalid UTF-8 is replaced rather than thrown on.
std::string DumpLine(const nlohmann::json& j);

}  // namespace berth::discovery

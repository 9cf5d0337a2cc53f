// A thin RAII layer over SQLite for berthd's state database.
//
// Vocabulary: a Db is one connection; a Statement is a prepared statement of
// that connection (it must not outlive its Db); a Transaction is a scope that
// commits only when asked and otherwise rolls back in its destructor.
//
// Durability: Open() sets journal_mode=WAL and, by default,
// synchronous=FULL. WAL with synchronous=NORMAL already survives a crash of
// the process (kill -9): a commit is in the WAL file once COMMIT returns,
// and the OS keeps it. FULL also fsyncs the WAL at each commit, so an
// acknowledged change survives power loss and kernel crashes as well; blob
// files are fsynced before rows point at them, and the rows should be as
// durable as the files. The cost is one fsync per write transaction, which
// image and container metadata can afford.
//
// Threads: connections open in SQLite's serialized mode, so a Db may be
// used from several threads, but a Statement or Transaction belongs to one
// thread at a time. Errors carry SQLite's message and the SQL text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

// From <sqlite3.h>, which only sqlite.cc includes.
struct sqlite3;
struct sqlite3_stmt;

namespace berth::sql {

class Statement;

class Db {
 public:
  struct Options {
    bool synchronous_full = true;  // false: synchronous=NORMAL (see above)
    int busy_timeout_ms = 5000;
  };

  // Opens (creating if needed) the database at path with WAL, the chosen
  // synchronous level, busy_timeout and foreign_keys=ON.
  static Result<Db> Open(const std::string& path, const Options& options);
  static Result<Db> Open(const std::string& path) { return Open(path, Options()); }

  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  // Runs one or more ';'-separated statements that return no rows needed.
  Status Exec(std::string_view sql);
  Result<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() const { return db_; }

 private:
  Db(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameters are numbered from 1, as in SQLite.
  Status Bind(int index, int64_t value);
  Status Bind(int index, std::string_view text);
  Status Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Status BindBlob(int index, std::span<const std::byte> blob);
  Status BindNull(int index);

  // Advances: true when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Steps until done (for statements whose rows, if any, are not wanted).
  Status Run();
  // Makes the statement ready to run again; bindings are kept.
  Status Reset();

  // Columns are numbered from 0, as in SQLite.
  int ColumnCount() const;
  bool IsNull(int column) const;
  int64_t Int(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;

  const std::string& sql() const { return sql_; }

 private:
  friend class Db;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
      : db_(db), stmt_(stmt), sql_(std::move(sql)) {}
  Status Check(int rc, const char* what);
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string sql_;
};

class Transaction {
 public:
  enum class Mode { kDeferred, kImmediate, kExclusive };
  // IMMEDIATE by default: the write lock is taken at BEGIN, so two writers
  // wait on busy_timeout instead of failing at their first write.
  static Result<Transaction> Begin(Db& db, Mode mode = Mode::kImmediate);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  // Rolls back unless Commit() or Rollback() was called.
  ~Transaction();

  Status Commit();
  Status Rollback();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;  // null once finished
};

// Brings the schema to version steps.size(): runs steps[user_version..] in
// one transaction and sets PRAGMA user_version. Running it again is a no-op.
// A database newer than the steps known is refused (kConflict).
Status Migrate(Db& db, std::span<const std::string_view> steps);
inline Status Migrate(Db& db, std::initializer_list<std::string_view> steps) {
  return Migrate(db, std::span<const std::string_view>(steps.begin(), steps.size()));
}

}  // namespace berth::sql

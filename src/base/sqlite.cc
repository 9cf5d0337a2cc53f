#include "base/sqlite.h"

#include <sqlite3.h>

#include <utility>

#include "base/log.h"

namespace berth::sql {
namespace {

Code CodeOf(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Code::kUnavailable;
    case SQLITE_CONSTRAINT:
      return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                 ? Code::kAlreadyExists
                 : Code::kConflict;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return Code::kPermissionDenied;
    case SQLITE_CANTOPEN:
      return Code::kNotFound;
    default:
      return Code::kInternal;
  }
}

// "sqlite <what> `<sql>`: <message>", with the OS errno when SQLite has one.
Error SqlError(sqlite3* db, int rc, std::string_view what, std::string_view sql) {
  std::string msg = "sqlite " + std::string(what);
  if (!sql.empty()) msg += " `" + std::string(sql) + "`";
  msg += ": ";
  msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  int err = db != nullptr ? sqlite3_system_errno(db) : 0;
  return Error(CodeOf(rc), std::move(msg), err);
}

}  // namespace

Result<Db> Db::Open(const std::string& path, const Options& options) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  Db db(raw, path);  // closes raw on every path below
  if (rc != SQLITE_OK) return SqlError(raw, rc, "open " + path, "");
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);

  auto mode = BERTH_TRY_CTX(db.Prepare("PRAGMA journal_mode=WAL"), "open " + path);
  bool row = BERTH_TRY_CTX(mode.Step(), "open " + path);
  if (!row || mode.Text(0) != "wal")
    return Error::Internal("open " + path + ": cannot enable WAL journal mode (got " +
                           (row ? mode.Text(0) : std::string("nothing")) + ")");
  std::string pragmas =
      options.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  pragmas += "PRAGMA foreign_keys=ON;";
  BERTH_TRY_CTX(db.Exec(pragmas), "open " + path);
  return db;
}

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Db::~Db() { sqlite3_close_v2(db_); }

Status Db::Exec(std::string_view sql) {
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return SqlError(db_, rc, "exec", sql);
  return Ok();
}

Result<Statement> Db::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqlError(db_, rc, "prepare", sql);
  }
  if (stmt == nullptr) return Error::Invalid("sqlite prepare `" + std::string(sql) + "`: empty");
  return Statement(db_, stmt, std::string(sql));
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int64_t Db::Changes() const { return sqlite3_changes64(db_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), sql_(std::move(other.sql_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::Check(int rc, const char* what) {
  if (rc == SQLITE_OK) return Ok();
  return SqlError(db_, rc, what, sql_);
}

Status Statement::Bind(int index, int64_t value) {
  return Check(sqlite3_bind_int64(stmt_, index, value), "bind");
}

Status Statement::Bind(int index, std::string_view text) {
  return Check(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind");
}

Status Statement::BindBlob(int index, std::span<const std::byte> blob) {
  // A null pointer would bind NULL; an empty blob stays an empty blob.
  static const std::byte kEmpty{};
  const void* data = blob.empty() ? &kEmpty : blob.data();
  return Check(sqlite3_bind_blob64(stmt_, index, data, blob.size(), SQLITE_TRANSIENT), "bind");
}

Status Statement::BindNull(int index) { return Check(sqlite3_bind_null(stmt_, index), "bind"); }

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqlError(db_, rc, "step", sql_);
}

Status Statement::Run() {
  for (;;) {
    bool row = BERTH_TRY(Step());
    if (!row) return Ok();
  }
}

Status Statement::Reset() { return Check(sqlite3_reset(stmt_), "reset"); }

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p), n);
}

std::string Statement::Blob(int column) const {
  const void* p = sqlite3_column_blob(stmt_, column);
  int n = sqlite3_column_bytes(stmt_, column);
  return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), n);
}

Result<Transaction> Transaction::Begin(Db& db, Mode mode) {
  const char* sql = mode == Mode::kDeferred    ? "BEGIN DEFERRED"
                    : mode == Mode::kImmediate ? "BEGIN IMMEDIATE"
                                               : "BEGIN EXCLUSIVE";
  BERTH_TRY(db.Exec(sql));
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ == nullptr) return;
  if (auto st = Rollback(); !st.ok()) log::Warn("{}", st.error().message());
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Error::Internal("sqlite commit: transaction already finished");
  Status st = db_->Exec("COMMIT");
  // A failed COMMIT (e.g. SQLITE_BUSY) leaves the transaction open; the
  // destructor then rolls it back.
  if (st.ok()) db_ = nullptr;
  return st;
}

Status Transaction::Rollback() {
  if (db_ == nullptr) return Error::Internal("sqlite rollback: transaction already finished");
  Db* db = std::exchange(db_, nullptr);
  // An error may already have rolled SQLite back; that is not a failure here.
  if (sqlite3_get_autocommit(db->raw())) return Ok();
  return db->Exec("ROLLBACK");
}

Status Migrate(Db& db, std::span<const std::string_view> steps) {
  auto tx = BERTH_TRY_CTX(Transaction::Begin(db), "migrate " + db.path());
  int64_t version = 0;
  {
    auto stmt = BERTH_TRY(db.Prepare("PRAGMA user_version"));
    if (BERTH_TRY(stmt.Step())) version = stmt.Int(0);
  }
  int64_t known = static_cast<int64_t>(steps.size());
  if (version > known)
    return Error(Code::kConflict,
                 "migrate " + db.path() + ": schema version " + std::to_string(version) +
                     " is newer than this program knows (" + std::to_string(known) + ")");
  if (version == known) return tx.Rollback();
  for (int64_t i = version; i < known; ++i)
    BERTH_TRY_CTX(db.Exec(steps[static_cast<size_t>(i)]),
                  "migrate " + db.path() + " to version " + std::to_string(i + 1));
  BERTH_TRY(db.Exec("PRAGMA user_version=" + std::to_string(known)));
  return tx.Commit().Context("migrate " + db.path());
}

}  // namespace berth::sql

#include "base/sqlite.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "base/fs.h"

namespace berth::sql {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-sqlite-test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/state.db";
  }
  void TearDown() override { ASSERT_TRUE(fs::RemoveAll(dir_).ok()); }

  Db OpenOrDie() {
    auto db = Db::Open(path_);
    EXPECT_TRUE(db.ok()) << db.error().message();
    return std::move(db).value();
  }
  static int64_t Count(Db& db, std::string_view table) {
    auto st = db.Prepare("SELECT count(*) FROM " + std::string(table));
    EXPECT_TRUE(st.ok()) << st.error().message();
    auto row = st->Step();
    EXPECT_TRUE(row.ok() && *row);
    return st->Int(0);
  }

  std::string dir_, path_;
};

TEST_F(SqliteTest, OpenSetsPragmas) {
  Db db = OpenOrDie();
  auto check = [&](const char* sql, const std::string& want) {
    auto st = db.Prepare(sql);
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*st->Step());
    EXPECT_EQ(st->Text(0), want) << sql;
  };
  check("PRAGMA journal_mode", "wal");
  check("PRAGMA synchronous", "2");  // FULL
  check("PRAGMA foreign_keys", "1");
  check("PRAGMA busy_timeout", "5000");
}

TEST_F(SqliteTest, Crud) {
  Db db = OpenOrDie();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, data BLOB)").ok());
  auto ins = db.Prepare("INSERT INTO t (name, data) VALUES (?, ?)");
  ASSERT_TRUE(ins.ok());
  const std::string blob("a\0b", 3);
  ASSERT_TRUE(ins->Bind(1, "alpha").ok());
  ASSERT_TRUE(ins->BindBlob(2, std::as_bytes(std::span(blob))).ok());
  ASSERT_TRUE(ins->Run().ok());
  EXPECT_EQ(db.LastInsertRowId(), 1);
  ASSERT_TRUE(ins->Reset().ok());
  ASSERT_TRUE(ins->Bind(1, "beta").ok());
  ASSERT_TRUE(ins->BindNull(2).ok());
  ASSERT_TRUE(ins->Run().ok());

  // A duplicate name is a unique-constraint failure: AlreadyExists, naming the SQL.
  ASSERT_TRUE(ins->Reset().ok());
  auto dup = ins->Run();
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code(), Code::kAlreadyExists);
  EXPECT_NE(dup.error().message().find("UNIQUE constraint failed: t.name"), std::string::npos);
  EXPECT_NE(dup.error().message().find("INSERT INTO t"), std::string::npos);

  auto sel = db.Prepare("SELECT id, name, data FROM t ORDER BY id");
  ASSERT_TRUE(sel.ok());
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->ColumnCount(), 3);
  EXPECT_EQ(sel->Int(0), 1);
  EXPECT_EQ(sel->Text(1), "alpha");
  EXPECT_EQ(sel->Blob(2), blob);
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->Text(1), "beta");
  EXPECT_TRUE(sel->IsNull(2));
  EXPECT_FALSE(*sel->Step());

  auto upd = db.Prepare("UPDATE t SET name = ?1 WHERE id = ?2");
  ASSERT_TRUE(upd.ok());
  ASSERT_TRUE(upd->Bind(1, "gamma").ok());
  ASSERT_TRUE(upd->Bind(2, int64_t{2}).ok());
  ASSERT_TRUE(upd->Run().ok());
  EXPECT_EQ(db.Changes(), 1);
  ASSERT_TRUE(db.Exec("DELETE FROM t WHERE name = 'alpha'").ok());
  EXPECT_EQ(Count(db, "t"), 1);
}

TEST_F(SqliteTest, ErrorsNameTheSql) {
  Db db = OpenOrDie();
  auto st = db.Prepare("SELEC 1");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("`SELEC 1`"), std::string::npos) << st.error().message();
  EXPECT_NE(st.error().message().find("syntax error"), std::string::npos);
  auto ex = db.Exec("INSERT INTO missing VALUES (1)");
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.error().message().find("no such table: missing"), std::string::npos);
  auto bad = Db::Open(dir_ + "/no/such/dir/x.db");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find(dir_ + "/no/such/dir/x.db"), std::string::npos);
}

TEST_F(SqliteTest, ForeignKeysEnforced) {
  Db db = OpenOrDie();
  ASSERT_TRUE(db.Exec("CREATE TABLE p (id INTEGER PRIMARY KEY);"
                      "CREATE TABLE c (pid INTEGER REFERENCES p(id))")
                  .ok());
  auto st = db.Exec("INSERT INTO c VALUES (42)");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), Code::kConflict);
}

TEST_F(SqliteTest, TransactionRollsBackOnScopeExit) {
  Db db = OpenOrDie();
  ASSERT_TRUE(db.Exec("CREATE TABLE t (x INTEGER)").ok());
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (1)").ok());
    EXPECT_EQ(Count(db, "t"), 1);
  }
  EXPECT_EQ(Count(db, "t"), 0);
  {
    auto tx = Transaction::Begin(db);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx->Commit().ok());
    EXPECT_FALSE(tx->Commit().ok());
  }
  EXPECT_EQ(Count(db, "t"), 1);
  {
    auto tx = Transaction::Begin(db, Transaction::Mode::kDeferred);
    ASSERT_TRUE(tx.ok());
    ASSERT_TRUE(db.Exec("INSERT INTO t VALUES (3)").ok());
    ASSERT_TRUE(tx->Rollback().ok());
  }
  EXPECT_EQ(Count(db, "t"), 1);
}

TEST_F(SqliteTest, MigrationsRunOnceInOrder) {
  const std::string_view steps[] = {
      "CREATE TABLE images (id TEXT PRIMARY KEY)",
      "ALTER TABLE images ADD COLUMN size INTEGER NOT NULL DEFAULT 0",
  };
  {
    Db db = OpenOrDie();
    ASSERT_TRUE(Migrate(db, std::span(steps).first(1)).ok());
    ASSERT_TRUE(Migrate(db, steps).ok());
    ASSERT_TRUE(Migrate(db, steps).ok());  // idempotent
    ASSERT_TRUE(db.Exec("INSERT INTO images (id, size) VALUES ('a', 1)").ok());
  }
  Db db = OpenOrDie();
  ASSERT_TRUE(Migrate(db, steps).ok());
  auto v = db.Prepare("PRAGMA user_version");
  ASSERT_TRUE(v.ok() && *v->Step());
  EXPECT_EQ(v->Int(0), 2);
  EXPECT_EQ(Count(db, "images"), 1);
  // A newer database than the code knows is refused.
  auto older = Migrate(db, std::span(steps).first(1));
  ASSERT_FALSE(older.ok());
  EXPECT_EQ(older.error().code(), Code::kConflict);
}

TEST_F(SqliteTest, FailedMigrationChangesNothing) {
  Db db = OpenOrDie();
  auto st = Migrate(db, {"CREATE TABLE a (x)", "CREATE TABLE oops ("});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.error().message().find("to version 2"), std::string::npos) << st.error().message();
  auto v = db.Prepare("PRAGMA user_version");
  ASSERT_TRUE(v.ok() && *v->Step());
  EXPECT_EQ(v->Int(0), 0);
  EXPECT_FALSE(db.Exec("SELECT * FROM a").ok());
}

TEST_F(SqliteTest, SecondConnectionSeesCommittedData) {
  Db writer = OpenOrDie();
  Db reader = OpenOrDie();
  ASSERT_TRUE(writer.Exec("CREATE TABLE t (x INTEGER)").ok());
  auto tx = Transaction::Begin(writer);
  ASSERT_TRUE(tx.ok());
  ASSERT_TRUE(writer.Exec("INSERT INTO t VALUES (1)").ok());
  // WAL: the reader is not blocked and does not see uncommitted rows.
  EXPECT_EQ(Count(reader, "t"), 0);
  ASSERT_TRUE(tx->Commit().ok());
  EXPECT_EQ(Count(reader, "t"), 1);
  // The write lock is taken at BEGIN IMMEDIATE: a second writer waits its
  // busy_timeout and then reports the database as busy.
  Db::Options quick;
  quick.busy_timeout_ms = 50;
  auto other = Db::Open(path_, quick);
  ASSERT_TRUE(other.ok());
  auto held = Transaction::Begin(writer);
  ASSERT_TRUE(held.ok());
  auto blocked = Transaction::Begin(*other);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code(), Code::kUnavailable);
}

}  // namespace
}  // namespace berth::sql

// RAII owners of SQLite connections and prepared statements, with Result-returning helpers.
//
// Threading: a connection and its statements are opened in SQLite's multi-thread mode (no
// per-connection mutex), so each SqliteDb and its statements must be used by one thread at a
// time. Handing a connection to another thread between uses is fine.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace fourdollar::store {

// Maps a SQLite result code to an Error: SQLITE_FULL becomes kResourceExhausted ("disk full"),
// and so does an I/O error whose system call failed with ENOSPC or EDQUOT (`system_errno`, from
// sqlite3_system_errno: a WAL index that cannot grow, an fsync that finds no room);
// SQLITE_BUSY/SQLITE_LOCKED kUnavailable, everything else kIo. `context` prefixes the message.
Error SqliteErrorFromCode(int rc, std::string_view context, std::string_view detail,
                          int system_errno = 0);

class SqliteStatement {
 public:
  SqliteStatement() = default;
  SqliteStatement(sqlite3_stmt* stmt, sqlite3* db) : stmt_(stmt), db_(db) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are 1-based, as in SQL ("?1"). Text is copied by SQLite.
  Status BindInt64(int index, int64_t value);
  Status BindText(int index, std::string_view value);

  // Runs one step: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Runs the statement to completion, ignoring rows, then resets it.
  Status Run();
  // Ends the statement's use (releasing its read snapshot) and clears the bindings.
  void Reset();

  // Columns are 0-based, valid after Step() returned true.
  int64_t ColumnInt64(int column) const;
  std::string ColumnText(int column) const;

 private:
  Error LastError(std::string_view context) const;

  sqlite3_stmt* stmt_ = nullptr;
  sqlite3* db_ = nullptr;
};

// Resets a statement when the scope ends, so a read never holds its snapshot past its use.
class StatementResetter {
 public:
  explicit StatementResetter(SqliteStatement& stmt) : stmt_(stmt) {}
  ~StatementResetter() { stmt_.Reset(); }
  StatementResetter(const StatementResetter&) = delete;
  StatementResetter& operator=(const StatementResetter&) = delete;

 private:
  SqliteStatement& stmt_;
};

class SqliteDb {
 public:
  enum class Mode { kReadWriteCreate, kReadOnly };

  // Opens the database file at `path` (an absolute filesystem path, not a URI) through the VFS
  // that writes a WAL commit in one call (store/sqlite_wal_vfs.h) and sets the busy timeout.
  // Errors name the path.
  static Result<SqliteDb> Open(const std::string& path, Mode mode, int busy_timeout_ms);

  SqliteDb() = default;
  ~SqliteDb();
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs one or more statements without results (PRAGMA, DDL, BEGIN...).
  Status Exec(const std::string& sql);
  // Runs a single statement that yields one integer (or text convertible to one), e.g. a PRAGMA.
  Result<int64_t> QueryInt64(const std::string& sql);
  // Runs a single statement that yields one text value.
  Result<std::string> QueryText(const std::string& sql);
  Result<SqliteStatement> Prepare(std::string_view sql);

  int64_t LastInsertRowId() const;
  const std::string& path() const { return path_; }
  sqlite3* get() const { return db_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  void Close();

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace fourdollar::store

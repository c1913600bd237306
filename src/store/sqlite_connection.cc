#include "store/sqlite_connection.h"

#include <cerrno>
#include <utility>

#include "store/sqlite_wal_vfs.h"

namespace fourdollar::store {

Error SqliteErrorFromCode(int rc, std::string_view context, std::string_view detail,
                          int system_errno) {
  std::string message(context);
  message += ": ";
  // The primary code decides the kind; extended codes (SQLITE_IOERR_FSYNC...) keep their text.
  switch (rc & 0xff) {
    case SQLITE_FULL:
      message += "disk full";
      return Error{ErrorCode::kResourceExhausted, std::move(message)};
    case SQLITE_IOERR:
      if (system_errno == ENOSPC || system_errno == EDQUOT) {
        message += "disk full (";
        message += detail;
        message += ")";
        return Error{ErrorCode::kResourceExhausted, std::move(message)};
      }
      message += detail;
      return Error{ErrorCode::kIo, std::move(message)};
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      message += detail;
      return Error{ErrorCode::kUnavailable, std::move(message)};
    default:
      message += detail;
      return Error{ErrorCode::kIo, std::move(message)};
  }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), db_(std::exchange(other.db_, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Error SqliteStatement::LastError(std::string_view context) const {
  return SqliteErrorFromCode(sqlite3_extended_errcode(db_), context, sqlite3_errmsg(db_),
                             sqlite3_system_errno(db_));
}

Status SqliteStatement::BindInt64(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) {
    return tl::unexpected(LastError("bind"));
  }
  return {};
}

Status SqliteStatement::BindText(int index, std::string_view value) {
  if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                          SQLITE_UTF8) != SQLITE_OK) {
    return tl::unexpected(LastError("bind"));
  }
  return {};
}

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // sqlite3_step returns the extended code itself with the v2 prepare interface.
  return tl::unexpected(
      SqliteErrorFromCode(rc, sqlite3_sql(stmt_), sqlite3_errmsg(db_), sqlite3_system_errno(db_)));
}

Status SqliteStatement::Run() {
  StatementResetter reset(*this);
  while (true) {
    auto row = Step();
    if (!row) return tl::unexpected(row.error());
    if (!*row) return {};
  }
}

void SqliteStatement::Reset() {
  // The error of the last step was already reported by Step(); reset repeats it.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t SqliteStatement::ColumnInt64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string SqliteStatement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(size));
}

Result<SqliteDb> SqliteDb::Open(const std::string& path, Mode mode, int busy_timeout_ms) {
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |=
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, WalBatchingVfsName());
  SqliteDb db(raw, path);
  if (rc != SQLITE_OK) {
    std::string detail = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    const int system_errno = raw != nullptr ? sqlite3_system_errno(raw) : 0;
    return tl::unexpected(
        SqliteErrorFromCode(rc, "cannot open database " + path, detail, system_errno));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, busy_timeout_ms);
  return db;
}

SqliteDb::~SqliteDb() { Close(); }

SqliteDb::SqliteDb(SqliteDb&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    Close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

void SqliteDb::Close() {
  // sqlite3_close_v2 defers the close until every statement of the connection is finalized,
  // so the order in which owners are destroyed does not matter.
  if (db_ != nullptr) sqlite3_close_v2(db_);
  db_ = nullptr;
}

Status SqliteDb::Exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return tl::unexpected(
        SqliteErrorFromCode(rc, path_ + ": " + sql, detail, sqlite3_system_errno(db_)));
  }
  return {};
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return tl::unexpected(SqliteErrorFromCode(rc, path_ + ": prepare " + std::string(sql),
                                              sqlite3_errmsg(db_), sqlite3_system_errno(db_)));
  }
  return SqliteStatement(stmt, db_);
}

Result<int64_t> SqliteDb::QueryInt64(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  StatementResetter reset(*stmt);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return MakeError(ErrorCode::kInternal, path_ + ": " + sql + " returned no row");
  return stmt->ColumnInt64(0);
}

Result<std::string> SqliteDb::QueryText(const std::string& sql) {
  auto stmt = Prepare(sql);
  if (!stmt) return tl::unexpected(stmt.error());
  StatementResetter reset(*stmt);
  auto row = stmt->Step();
  if (!row) return tl::unexpected(row.error());
  if (!*row) return MakeError(ErrorCode::kInternal, path_ + ": " + sql + " returned no row");
  return stmt->ColumnText(0);
}

int64_t SqliteDb::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

}  // namespace fourdollar::store

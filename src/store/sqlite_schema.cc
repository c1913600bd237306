#include "store/sqlite_schema.h"

#include <array>
#include <string>

namespace fourdollar::store {

namespace {

// Migration i brings the database from version i to version i + 1. Append only: a released
// migration never changes, because databases in the field already ran it.
constexpr std::array<const char*, 2> kMigrations = {
    "CREATE TABLE posts ("
    "  id INTEGER PRIMARY KEY,"
    "  created_unix_ms INTEGER NOT NULL,"
    "  title TEXT NOT NULL,"
    "  body TEXT NOT NULL);"
    "CREATE INDEX posts_created_unix_ms ON posts(created_unix_ms);",
    // Edits and deletes. A deleted post stays as a tombstone row, so its id is never reused
    // (an INTEGER PRIMARY KEY would otherwise hand the largest id out again).
    "ALTER TABLE posts ADD COLUMN updated_unix_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE posts ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;"
    "ALTER TABLE posts ADD COLUMN deleted_unix_ms INTEGER;",
};

Status Apply(SqliteDb& db) {
  auto version = db.QueryInt64("PRAGMA user_version");
  if (!version) return tl::unexpected(version.error());
  if (*version > SqliteSchemaVersion()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database " + db.path() + " has schema version " + std::to_string(*version) +
                         ", newer than version " + std::to_string(SqliteSchemaVersion()) +
                         " known to this build; upgrade fourdollar to open it");
  }
  if (*version < 0) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        "database " + db.path() + " has an invalid schema version " + std::to_string(*version));
  }
  for (int64_t v = *version; v < SqliteSchemaVersion(); ++v) {
    auto applied = db.Exec(kMigrations[static_cast<size_t>(v)]);
    if (!applied) return applied;
    // PRAGMA takes no bound parameters; the value is our own integer.
    auto bumped = db.Exec("PRAGMA user_version = " + std::to_string(v + 1));
    if (!bumped) return bumped;
  }
  return {};
}

}  // namespace

int SqliteSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status MigrateSqliteSchema(SqliteDb& db) {
  // IMMEDIATE takes the write lock first, so two processes opening a fresh file cannot both
  // decide to create the table.
  auto begun = db.Exec("BEGIN IMMEDIATE");
  if (!begun) return begun;
  auto applied = Apply(db);
  if (!applied) {
    // The original error matters more than a failed rollback.
    (void)db.Exec("ROLLBACK");
    return applied;
  }
  return db.Exec("COMMIT");
}

}  // namespace fourdollar::store

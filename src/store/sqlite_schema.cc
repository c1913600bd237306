#include "store/sqlite_schema.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

namespace fourdollar::store {

namespace {

// Migration i brings the database from version i to version i + 1. Append only: a released
// migration never changes, because databases in the field already ran it.
constexpr std::array<const char*, 4> kMigrations = {
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
    // The body rendered to HTML when it is written. NULL for the rows of older versions until
    // FillBodyHtml renders them.
    "ALTER TABLE posts ADD COLUMN body_html TEXT;",
    // The list pages' query reads only this index: a row of the table holds the body and its
    // HTML, so the ten newest titles were spread over about as many table pages, each read
    // from the WAL again after every commit. deleted_unix_ms (always NULL here) is a column
    // too: SQLite counts an index as covering only when it holds every column the query names,
    // its WHERE clause's included. The index on the creation time goes: no query used it (the
    // lists go by id, in the same order), yet every insert wrote to it.
    "CREATE INDEX posts_listed ON posts(id, created_unix_ms, title, updated_unix_ms, "
    "deleted_unix_ms) WHERE deleted_unix_ms IS NULL;"
    "DROP INDEX posts_created_unix_ms;",
};

// Renders the HTML of every row that has none, a page of rows at a time (the select is not
// kept open across the updates).
Status FillBodyHtml(SqliteDb& db, const RenderHtml& render_html) {
  auto select = db.Prepare(
      "SELECT id, body FROM posts WHERE body_html IS NULL AND id > ?1 ORDER BY id LIMIT 256");
  if (!select) return tl::unexpected(select.error());
  auto update = db.Prepare("UPDATE posts SET body_html = ?1 WHERE id = ?2");
  if (!update) return tl::unexpected(update.error());
  int64_t after = 0;
  while (true) {
    std::vector<std::pair<int64_t, std::string>> rows;
    {
      StatementResetter reset(*select);
      if (Status bound = select->BindInt64(1, after); !bound) return bound;
      while (true) {
        auto row = select->Step();
        if (!row) return tl::unexpected(row.error());
        if (!*row) break;
        rows.emplace_back(select->ColumnInt64(0), select->ColumnText(1));
      }
    }
    if (rows.empty()) return {};
    for (const auto& row : rows) {
      const int64_t id = row.first;  // a lambda cannot capture a structured binding in clang 14
      StatementResetter reset(*update);
      Status done = update->BindText(1, render_html(row.second))
                        .and_then([&] { return update->BindInt64(2, id); })
                        .and_then([&] { return update->Run(); });
      if (!done) return done;
    }
    after = rows.back().first;
  }
}

Status Apply(SqliteDb& db, const RenderHtml& render_html) {
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
  if (!render_html) return {};
  return FillBodyHtml(db, render_html);
}

}  // namespace

int SqliteSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status MigrateSqliteSchema(SqliteDb& db, const RenderHtml& render_html) {
  // IMMEDIATE takes the write lock first, so two processes opening a fresh file cannot both
  // decide to create the table.
  auto begun = db.Exec("BEGIN IMMEDIATE");
  if (!begun) return begun;
  auto applied = Apply(db, render_html);
  if (!applied) {
    // The original error matters more than a failed rollback.
    (void)db.Exec("ROLLBACK");
    return applied;
  }
  return db.Exec("COMMIT");
}

}  // namespace fourdollar::store

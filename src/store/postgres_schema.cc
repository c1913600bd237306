#include "store/postgres_schema.h"
#include "store/libpq.h"

#include <array>
#include <string>

namespace fourdollar::store {

namespace {

constexpr int64_t kMigrationLockKey = 0x466f7572'446f6c00;  // "FourDol" 0

// Migration i brings the database from version i to version i + 1. Append only: a released
// migration never changes, because databases in the field already ran it.
constexpr std::array<const char*, 4> kMigrations = {
    // request_key is chosen by the writer for each post, so that after a connection lost during
    // COMMIT it can find out whether the batch was stored.
    "CREATE TABLE posts ("
    "  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  created_unix_ms BIGINT NOT NULL,"
    "  title TEXT NOT NULL,"
    "  body TEXT NOT NULL,"
    "  request_key TEXT NOT NULL UNIQUE);"
    "CREATE INDEX posts_created_unix_ms ON posts(created_unix_ms);",
    // Edits and deletes. A deleted post stays as a tombstone row (its id is never reused).
    // post_changes holds each edit's and delete's request key, for the same lookup after a lost
    // COMMIT answer as request_key does for new posts.
    "ALTER TABLE posts ADD COLUMN updated_unix_ms BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE posts ADD COLUMN revision BIGINT NOT NULL DEFAULT 1;"
    "ALTER TABLE posts ADD COLUMN deleted_unix_ms BIGINT;"
    "CREATE TABLE post_changes (request_key TEXT PRIMARY KEY, post_id BIGINT NOT NULL);",
    // The body rendered to HTML when it is written. NULL for the rows of older versions until
    // FillBodyHtml renders them.
    "ALTER TABLE posts ADD COLUMN body_html TEXT;",
    // The list pages' query (kPostgresLatestSql) goes by id and skips tombstones; this index
    // holds what it selects, so a page whose rows are all visible is read from the index alone
    // (an index-only scan), and tombstones are not in it. The index on the creation time goes:
    // no query used it, yet every insert wrote to it.
    "CREATE INDEX posts_listed ON posts(id) INCLUDE (created_unix_ms, title, updated_unix_ms) "
    "WHERE deleted_unix_ms IS NULL;"
    "DROP INDEX posts_created_unix_ms;",
};

// Renders the HTML of every row that has none, a page of rows at a time, each page in its own
// transaction (a page is consistent on its own; a crash midway leaves the rest for next time).
Status FillBodyHtml(PgConnection& db, const RenderHtml& render_html) {
  int64_t after = 0;
  while (true) {
    const std::string after_text = std::to_string(after);
    auto rows = db.ExecParams(
        "SELECT id, body FROM posts WHERE body_html IS NULL AND id > $1::bigint ORDER BY id "
        "LIMIT 256",
        {after_text.c_str()});
    if (!rows) return tl::unexpected(rows.error());
    const int count = Pq().PQntuples(rows->get());
    if (count == 0) return {};
    if (auto begun = db.Exec("BEGIN"); !begun) return tl::unexpected(begun.error());
    for (int row = 0; row < count; ++row) {
      const std::string id = PgText(rows->get(), row, 0);
      const std::string html = render_html(PgText(rows->get(), row, 1));
      // Only a row still without HTML: an edit meanwhile stored its own.
      auto updated = db.ExecParams(
          "UPDATE posts SET body_html = $1 WHERE id = $2::bigint AND body_html IS NULL",
          {html.c_str(), id.c_str()});
      if (!updated) {
        (void)db.Exec("ROLLBACK");
        return tl::unexpected(updated.error());
      }
    }
    if (auto committed = db.Exec("COMMIT"); !committed) return tl::unexpected(committed.error());
    after = PgInt64(rows->get(), count - 1, 0);
  }
}

Status Apply(PgConnection& db) {
  auto created = db.Exec(
      "CREATE TABLE IF NOT EXISTS fourdollar_schema (version INTEGER NOT NULL);"
      "INSERT INTO fourdollar_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM fourdollar_schema)");
  if (!created) return tl::unexpected(created.error());
  auto version_result = db.Exec("SELECT version FROM fourdollar_schema");
  if (!version_result) return tl::unexpected(version_result.error());
  const int64_t version = PgInt64(version_result->get(), 0, 0);
  if (version > PostgresSchemaVersion() || version < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "database " + db.Describe() + " has schema version " +
                         std::to_string(version) + ", not one of 0 to " +
                         std::to_string(PostgresSchemaVersion()) +
                         " known to this build; upgrade fourdollar to open it");
  }
  for (int64_t v = version; v < PostgresSchemaVersion(); ++v) {
    // Each migration and its version bump commit together.
    auto applied =
        db.Exec(std::string("BEGIN;") + kMigrations[static_cast<size_t>(v)] +
                "UPDATE fourdollar_schema SET version = " + std::to_string(v + 1) + ";COMMIT");
    if (!applied) {
      // The migration's error matters more than a failed rollback.
      (void)db.Exec("ROLLBACK");
      return tl::unexpected(applied.error());
    }
  }
  return {};
}

}  // namespace

int PostgresSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status MigratePostgresSchema(PgConnection& db, const RenderHtml& render_html) {
  const std::string key = std::to_string(kMigrationLockKey);
  auto locked = db.Exec("SELECT pg_advisory_lock(" + key + ")");
  if (!locked) return tl::unexpected(locked.error());
  Status applied = Apply(db).and_then([&]() -> Status {
    if (!render_html) return {};
    return FillBodyHtml(db, render_html);
  });
  // Released even after a failure; a broken connection releases it by itself.
  (void)db.Exec("SELECT pg_advisory_unlock(" + key + ")");
  return applied;
}

}  // namespace fourdollar::store
